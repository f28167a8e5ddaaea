// The desk's schedule refreshes itself every 30 seconds, so an online booking shows within a minute, keeping the
// scroll position and whatever has focus. Today's grid opens scrolled to the now-line (a third of the way down), so
// the desk sees what is happening now rather than the first hours of the day. The request says it is a background
// refresh: it is not activity, so a desk left alone is still signed out when idle, and the server answers with the
// schedule section alone (desk/views.py: home), the only part replaced. The print button prints the day sheet (a
// print stylesheet).
(() => {
  const schedule = document.getElementById("schedule");
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
  if (!schedule) return;
  const first = document.getElementById("schedule-scroll");
  const now = first && first.querySelector(".now-line");
  if (now) {
    const heading = first.querySelector(".grid-head");
    const above = (heading ? heading.offsetHeight : 0) + first.clientHeight / 3;
    first.scrollTop = Math.max(0, now.offsetTop - above);
  }
  const seconds = Number(schedule.dataset.refreshSeconds || 30);
  async function refresh() {
    if (document.visibilityState !== "visible" || schedule.contains(document.activeElement)) return;
    let response;
    try {
      response = await fetch(window.location.href, { headers: { "X-Background-Refresh": "1" }, credentials: "same-origin" });
    } catch {
      return; // offline for a moment: try again next time
    }
    if (!response.ok || response.redirected) return; // signed out: the idle-timeout dialog handles it
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("schedule");
    if (!fresh) return;
    const scroller = document.getElementById("schedule-scroll");
    const left = scroller ? scroller.scrollLeft : 0;
    const top = scroller ? scroller.scrollTop : 0;
    const pageY = window.scrollY;
    schedule.replaceChildren(...fresh.childNodes);
    const again = document.getElementById("schedule-scroll");
    if (again) {
      again.scrollLeft = left;
      again.scrollTop = top;
    }
    window.scrollTo(window.scrollX, pageY);
  }
  window.setInterval(refresh, seconds * 1000);
})();
