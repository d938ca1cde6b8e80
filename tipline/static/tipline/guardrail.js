// The guardrail on the report form (issue 15, point 3), in the browser: before
// the report is sent, its text is checked against the profile's word lists (in
// the page as JSON in a data attribute, not as script). A text that names a protected
// characteristic and no behaviour shows a short reminder in place, with "Send
// anyway" and "Edit my report". Without this script the server does the same
// check and shows the reminder as a confirmation step. Nothing is sent anywhere
// by this check. tipline/profiles/guardrail.py is the reference: same
// normalisation (NFKC, lower case, no format characters), whole words for
// scripts written with spaces, a trailing * for any ending, Chinese anywhere.
"use strict";

(function () {
  const form = document.getElementById("report-form");
  const box = document.getElementById("guardrail-reminder");
  if (!form || !box || !box.dataset.lists || !String.prototype.normalize) {
    return;
  }
  let lists;
  try {
    lists = JSON.parse(box.dataset.lists);
  } catch (error) {
    return;
  }
  const UNSPACED = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
  const WORD = "[\\p{L}\\p{M}\\p{N}_]";

  function normalise(text) {
    return text.normalize("NFKC").toLowerCase().replace(/\p{Cf}/gu, "");
  }

  function escape(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function pattern(kind) {
    const words = [].concat(...Object.values(lists[kind] || {}));
    const parts = [];
    for (const word of words) {
      const stem = word.replace(/\*+$/, "");
      if (!stem) {
        continue;
      }
      if (UNSPACED.test(stem)) {
        parts.push(escape(stem));
      } else {
        const ending = word.endsWith("*") ? WORD + "*" : "";
        parts.push("(?<!" + WORD + ")" + escape(stem) + ending + "(?!" + WORD + ")");
      }
    }
    return parts.length ? new RegExp(parts.join("|"), "u") : null;
  }

  const protectedWords = pattern("protected");
  const behaviourWords = pattern("behaviour");

  function needsReminder(text) {
    const folded = normalise(text);
    return (
      protectedWords !== null &&
      protectedWords.test(folded) &&
      !(behaviourWords !== null && behaviourWords.test(folded))
    );
  }

  function typed() {
    return Array.from(form.elements)
      .filter(
        (field) =>
          !field.disabled &&
          field.name !== "homepage" &&
          (field.tagName === "TEXTAREA" ||
            (field.tagName === "INPUT" && field.type === "text")),
      )
      .map((field) => field.value)
      .join("\n");
  }

  let sendAnyway = false;
  // While the reminder is open, its two buttons are the way on.
  const sendButton = form.querySelector("button[type=submit]");

  function showReminder(shown) {
    box.hidden = !shown;
    if (sendButton) {
      sendButton.hidden = shown;
    }
  }

  form.addEventListener(
    "submit",
    function (event) {
      if (sendAnyway || !needsReminder(typed())) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      showReminder(true);
      box.focus();
    },
    true,
  );

  box.addEventListener("click", function (event) {
    const action = event.target.closest("[data-guardrail]");
    if (!action) {
      return;
    }
    showReminder(false);
    if (action.dataset.guardrail === "send") {
      sendAnyway = true;
      const confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "guardrail_confirmed";
      confirmed.value = "yes";
      form.appendChild(confirmed);
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit();
      } else {
        form.submit();
      }
      return;
    }
    const first = form.querySelector("textarea:not([disabled])");
    if (first) {
      first.focus();
    }
  });
})();
