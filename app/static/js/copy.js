// "Link kopieren" and "Teilen": buttons next to a link or a read-only field copy its
// text to the clipboard or hand it to the phone's share sheet. An enhancement only:
// each button stays hidden unless the browser has the API it needs (Clipboard API, Web
// Share API), and without JavaScript the link can be selected and copied by hand.
"use strict";

// The text of a field (its value) or of a link (its address).
function copyText(field) {
  return field.value !== undefined ? field.value : field.href || field.textContent;
}

// Say briefly what happened, in the status element next to the field.
function tell(id, message) {
  const status = document.getElementById(id + "-status");
  if (status && message) {
    status.textContent = message;
    window.setTimeout(() => { status.textContent = ""; }, 4000);
  }
}

// Select a field's or link's text, so that the person can copy it by hand.
function selectText(field) {
  field.focus();
  if (field.select) {
    field.select();
    return;
  }
  const range = document.createRange();
  range.selectNodeContents(field);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    navigator.clipboard.writeText(copyText(field)).then(
      () => tell(button.dataset.copy, button.dataset.copied),
      () => selectText(field),
    );
  });
  if (field.select) {
    field.addEventListener("focus", () => field.select());
  }
});

document.querySelectorAll("button[data-share]").forEach((button) => {
  const field = document.getElementById(button.dataset.share);
  if (!field || !navigator.share) {
    return;
  }
  const data = { title: button.dataset.title || document.title, url: copyText(field) };
  if (navigator.canShare && !navigator.canShare(data)) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", () => {
    // A share sheet closed without sharing rejects: nothing to say then.
    navigator.share(data).catch(() => {});
  });
});
