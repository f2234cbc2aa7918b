/* The player's full-screen toggle (issue 18): the Fullscreen API on the player (content, TOC and bar),
   or — where a phone's browser has none (iPhone Safari) — a class that makes the player cover the
   viewport. The button's state is announced (aria-pressed). Nothing else of the player is touched. */
(function () {
  "use strict";
  var button = document.getElementById("player-fullscreen");
  var wrap = document.querySelector(".player-wrap");
  if (!button || !wrap) return;

  // the class is the state: the Fullscreen API's own answer comes later (asynchronously)
  function isOn() {
    return wrap.classList.contains("is-fullscreen");
  }

  function render() {
    var on = isOn();
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.title = on ? button.getAttribute("data-label-off") : button.getAttribute("data-label-on");
  }

  function enter() {
    wrap.classList.add("is-fullscreen");
    if (wrap.requestFullscreen) {
      wrap.requestFullscreen({ navigationUI: "hide" }).catch(function () { /* the class covers the viewport */ });
    }
  }

  function exit() {
    wrap.classList.remove("is-fullscreen");
    if (document.fullscreenElement && document.exitFullscreen) document.exitFullscreen().catch(function () {});
  }

  button.addEventListener("click", function () {
    if (isOn()) exit(); else enter();
    render();
  });
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement) wrap.classList.remove("is-fullscreen");
    render();
  });
  render();
})();
