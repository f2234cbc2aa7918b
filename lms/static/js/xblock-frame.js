/* The XBlock launch frames (api/frame.html, api/quiz_frame.html): tell the Open edX page around us
   (postMessage) how the module or quiz goes, so the XBlock asks the backend for the result. The messages
   carry no result: the XBlock asks the backend server to server.
   - module (#lms-player): "union-lms:progress" when the player (re)loads or an attempt's status or score
     changes, "union-lms:ended" when the completion rule is met or the learner leaves the module;
   - quiz (#lms-quiz): "union-lms:ended" when the frame shows a result page (an attempt was submitted) or
     the learner leaves, "union-lms:progress" on the other pages.
   Kept out of the templates: LMS pages allow no inline script (Content-Security-Policy). */
(function () {
  "use strict";
  function teller(key, id) {
    return function (type) {
      if (window.parent && window.parent !== window) {
        var message = {type: type};
        message[key] = id;
        window.parent.postMessage(message, "*");
      }
    };
  }

  function watchPlayer(frame) {
    var playPath = frame.getAttribute("data-play-path");
    var tell = teller("attempt", parseInt(frame.getAttribute("data-attempt"), 10));
    var last = "";
    function onAttempt(event) {
      var a = event.detail || {};
      var key = [a.status, a.score, a.rule_met].join("|");
      if (key === last) { return; }
      last = key;
      tell(a.rule_met ? "union-lms:ended" : "union-lms:progress");
    }
    frame.addEventListener("load", function () {
      var path = "";
      try {
        path = frame.contentWindow.location.pathname;
        frame.contentDocument.addEventListener("lms:attempt", onAttempt);
      } catch (e) { path = ""; }
      tell(path === playPath ? "union-lms:progress" : "union-lms:ended");
    });
    window.addEventListener("pagehide", function () { tell("union-lms:ended"); });
  }

  function watchQuiz(frame) {
    var before = frame.getAttribute("data-result-before");
    var after = frame.getAttribute("data-result-after");
    var tell = teller("quiz", parseInt(frame.getAttribute("data-quiz"), 10));
    frame.addEventListener("load", function () {
      var path = "";
      try { path = frame.contentWindow.location.pathname; } catch (e) { path = ""; }
      var result = path.indexOf(before) === 0 && path.slice(-after.length) === after;
      tell(result ? "union-lms:ended" : "union-lms:progress");
    });
    window.addEventListener("pagehide", function () { tell("union-lms:ended"); });
  }

  var player = document.getElementById("lms-player");
  var quiz = document.getElementById("lms-quiz");
  if (player) { watchPlayer(player); }
  if (quiz) { watchQuiz(quiz); }
})();
