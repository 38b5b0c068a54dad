// On a phone, long lists of filters start folded so that the results come first. Without
// script they stay open: nothing is hidden that cannot be reached.
if (window.matchMedia("(max-width: 48rem)").matches) {
  document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
    details.open = false;
  });
}
