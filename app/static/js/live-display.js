/* Counter display of a live station (/laden/live): an enhancement only. Without it the
   page still reloads itself through its Refresh header when the next code is due.
   With it: a countdown to the next code, and the screen kept awake (Screen Wake Lock
   API, where the browser has it), so the tablet at the counter does not go dark. */
(function () {
  "use strict";

  var countdown = document.querySelector("[data-seconds-left]");
  if (countdown) {
    var seconds = countdown.querySelector(".live-seconds");
    var left = parseFloat(countdown.getAttribute("data-seconds-left"));
    // Counted from the page's arrival, not the device clock, which may be off.
    var deadline = Date.now() + (isFinite(left) ? left : 30) * 1000;
    var reloading = false;
    var tick = function () {
      var remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      seconds.textContent = String(remaining);
      if (remaining === 0 && !reloading && Date.now() > deadline + 500) {
        reloading = true;
        window.location.reload();
        return;
      }
      window.setTimeout(tick, 250);
    };
    countdown.hidden = false;
    tick();
  }

  if ("wakeLock" in navigator && navigator.wakeLock && navigator.wakeLock.request) {
    var lock = null;
    var keepAwake = function () {
      if (document.visibilityState !== "visible" || lock !== null) {
        return;
      }
      navigator.wakeLock.request("screen").then(function (sentinel) {
        lock = sentinel;
        sentinel.addEventListener("release", function () { lock = null; });
      }).catch(function () {
        lock = null;  // refused (battery saver, no permission): the page works without
      });
    };
    // The browser releases the lock when the tab is hidden; take it again on return.
    document.addEventListener("visibilitychange", keepAwake);
    keepAwake();
  }
}());
