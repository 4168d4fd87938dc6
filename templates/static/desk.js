// The front desk's little script, from this server only (its pages allow no inline script).
// The language switch returns to this page; the scanner field submits on the scanner's Enter.
document.querySelectorAll('input[name=back]').forEach(function (i) { i.value = location.pathname + location.search; });
// A field that opens filled in (the plate of a car picked from a list) has its text selected, so a scan replaces it.
var first = document.querySelector('input[autofocus]'); if (first && first.value) { first.select(); }
// "Back" links go back in the browser's history when there is one.
document.querySelectorAll('a.back').forEach(function (a) {
  a.addEventListener('click', function (e) { if (history.length > 1) { e.preventDefault(); history.back(); } });
});
// Print buttons of slips and key tags.
document.querySelectorAll('.print-btn').forEach(function (b) { b.addEventListener('click', function () { window.print(); }); });
// A correction that undoes a record asks first (forms marked data-confirm, with the question in the page's language).
document.querySelectorAll('form[data-confirm]').forEach(function (f) {
  f.addEventListener('submit', function (e) { if (!window.confirm(f.getAttribute('data-confirm'))) { e.preventDefault(); } });
});
// On a phone, tables show each row as a stack of labelled cells: each cell takes its column's heading as its label.
document.querySelectorAll('main table').forEach(function (t) {
  var heads = Array.prototype.map.call(t.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
  if (!heads.length) { return; }
  t.querySelectorAll('tbody tr').forEach(function (tr) {
    Array.prototype.forEach.call(tr.children, function (td, i) {
      if (!td.hasAttribute('data-label') && heads[i]) { td.setAttribute('data-label', heads[i]); }
    });
  });
});
