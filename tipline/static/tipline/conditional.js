// Conditional questions of the report form (issue 15, point 2). Without this
// script a question whose condition is not met stays hidden and disabled (it
// posts nothing), and the server asks it in a second step when the earlier
// answer calls for it. With it, the question appears, enabled, as soon as the
// earlier answer matches, and hides again when the answer changes.
"use strict";

(function () {
  const form = document.getElementById("report-form");
  if (!form) {
    return;
  }
  const blocks = Array.from(form.querySelectorAll("fieldset[data-show-if]"));
  if (!blocks.length) {
    return;
  }

  function chosen(name) {
    const picked = Array.from(form.elements).find(
      (input) => input.name === name && input.type === "radio" && input.checked,
    );
    return picked ? picked.value : null;
  }

  function update() {
    for (const block of blocks) {
      let condition;
      try {
        condition = JSON.parse(block.dataset.showIf);
      } catch (error) {
        continue;
      }
      const met = condition.values.includes(chosen(condition.field));
      block.hidden = !met;
      block.disabled = !met;
    }
  }

  form.addEventListener("change", update);
  update();
})();
