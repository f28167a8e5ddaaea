// The desk's booking form: choosing another location fetches that location's services and therapists at once, so
// the therapist list never shows another location's people (the form works without this, one submit later).
document.querySelectorAll("form[data-refresh-on]").forEach((form) => {
  const field = form.elements[form.dataset.refreshOn];
  if (!field) return;
  field.addEventListener("change", () => {
    ["therapist", "service"].forEach((name) => {
      if (form.elements[name]) form.elements[name].disabled = true; // not sent: the other location's choices
    });
    form.requestSubmit();
  });
});
