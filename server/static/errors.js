// Form errors tied to their fields (WCAG 3.3.1, 1.3.1, 4.1.3). The
// server puts each message beside its field (a .field-error in the
// field's label or fieldset) and keeps what was typed; this ties them
// together for assistive technology and moves focus to one summary:
// - the field gets aria-invalid="true" and aria-describedby its message;
// - the summary (.error-summary, else the first alert in main, else one
//   made before the first form with an error) lists every message as a
//   link to its field, and takes focus.
document.addEventListener('DOMContentLoaded', () => {
  const main = document.querySelector('main');
  if (!main) return;
  const items = [];
  main.querySelectorAll('.field-error').forEach((msg, i) => {
    const text = msg.textContent.trim();
    if (!text) return;
    const box = msg.closest('label, fieldset');
    const fields = box ? [...box.querySelectorAll('input:not([type=hidden]), select, textarea')] : [];
    if (!msg.id) msg.id = 'fout-' + (i + 1);
    fields.forEach((f, j) => {
      if (!f.id) f.id = 'veld-' + (i + 1) + (j ? '-' + j : '');
      f.setAttribute('aria-invalid', 'true');
      const by = (f.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
      if (!by.includes(msg.id)) f.setAttribute('aria-describedby', by.concat(msg.id).join(' '));
    });
    items.push({ text, target: fields[0] ? fields[0].id : msg.id, form: msg.closest('form') });
  });
  let summary = main.querySelector('.error-summary') || main.querySelector('.alert[role=alert]');
  if (!summary && items.length) {
    summary = document.createElement('div');
    summary.className = 'alert error-summary';
    summary.setAttribute('role', 'alert');
    summary.innerHTML = '<p><strong>Controleer de invoer.</strong> Er is niets opgeslagen.</p>';
    const form = items[0].form || main.firstElementChild;
    form.parentNode.insertBefore(summary, form);
  }
  if (!summary) return;
  if (items.length && !summary.querySelector('ul.error-links')) {
    const ul = document.createElement('ul');
    ul.className = 'error-links';
    items.forEach(it => {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = '#' + it.target;
      a.textContent = it.text;
      li.appendChild(a);
      ul.appendChild(li);
    });
    const old = summary.querySelector('ul');
    if (old) old.replaceWith(ul); else summary.appendChild(ul);
  }
  summary.tabIndex = -1;
  summary.focus();
});
