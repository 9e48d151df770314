from django.conf import settings

# Users are made in nearly every test: a slow password hash would dominate the run.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
