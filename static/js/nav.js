// The menu button on narrow screens shows and hides the main navigation: all that Bootstrap's 80 KB of
// JavaScript was loaded for. Loaded with `defer`, so the page is parsed when this runs.
for (const button of document.querySelectorAll("[data-nav-toggle]")) {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  button.addEventListener("click", () => {
    const open = menu.classList.toggle("show");
    button.setAttribute("aria-expanded", String(open));
  });
}
