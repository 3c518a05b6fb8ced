// Behaviour that would otherwise be inline handlers (the Content-Security-Policy allows
// scripts from our own origin only). Delegated, so content loaded by htmx works too.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
// Keyboard shortcuts: a key pressed outside a text field clicks the element that declares it
// with data-key (the duplicate review: a = same person, s = separate, n = next pair).
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  const target = document.querySelector(`[data-key="${CSS.escape(event.key.toLowerCase())}"]`);
  if (!target) return;
  event.preventDefault();
  target.click();
});
