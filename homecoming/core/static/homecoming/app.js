// Behaviour that would otherwise be inline handlers (the Content-Security-Policy allows
// scripts from our own origin only). Delegated, so content loaded by htmx works too.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
