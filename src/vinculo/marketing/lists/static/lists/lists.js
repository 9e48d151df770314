// Lists page: select the share URL on focus; unticking "only who may be contacted" sends consent=0.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-share-url]").forEach((input) => {
    input.addEventListener("focus", () => input.select());
  });
  const consent = document.querySelector("[data-consent]");
  const off = document.querySelector("[data-consent-off]");
  if (consent && off) {
    const sync = () => { off.disabled = consent.checked; };
    consent.addEventListener("change", sync);
    sync();
  }
});
