// "Link kopieren": a button next to a read-only field copies its text to the clipboard.
// An enhancement only: without JavaScript the button stays hidden and the field can be
// selected and copied by hand.
"use strict";

document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copy + "-status");
  if (!field || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(field.value).then(
      () => {
        if (status) {
          status.textContent = button.dataset.copied;
          window.setTimeout(() => { status.textContent = ""; }, 4000);
        }
      },
      () => {
        field.focus();
        field.select();
      },
    );
  });
  field.addEventListener("focus", () => field.select());
});
