def test_create_and_read_contact(admin_api):
    r = admin_api.post("contacts", {"first_name": "José", "last_name": "García",
                                    "email": "Jose@Example.com", "city": "Madrid",
                                    "country": "es", "tags": ["vip"]})
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["email"] == "jose@example.com"
    assert data["country"] == "ES"
    assert data["tags"] == ["vip"]
    assert data["version"] == 1
    r = admin_api.get(f"contacts/{data['id']}")
    assert r.status_code == 200
    r = admin_api.get("contacts", q="garcia")
    assert [c["id"] for c in r.json()["items"]] == [data["id"]]
