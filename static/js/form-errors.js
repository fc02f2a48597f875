// When a form comes back with errors, the focus goes to them, so that keyboard and screen-reader
// users start where the correction is needed: the form's error summary when it has one, else
// its first invalid field (whose description is its error message).
const formError = document.querySelector("form [role=alert], form [aria-invalid=true]");
if (formError) {
  if (formError.getAttribute("role") === "alert") {
    formError.tabIndex = -1;
  }
  formError.focus();
}
