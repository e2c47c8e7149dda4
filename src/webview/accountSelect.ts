// The account selector beside From: which account the document is sent with. Choosing one asks the panel to
// compose again with it (the From and the server follow); the render says which account it was composed with.
import type { AccountView } from '../preview/messages';
import { post } from './vscodeApi';

const select = document.getElementById('account') as HTMLSelectElement;

select.addEventListener('change', () => post({ type: 'account', name: select.value }));

/** Shows the accounts of a render (hidden when it has none), the one it was composed with selected. */
export function showAccount(view: AccountView | undefined): void {
  select.hidden = !view;
  if (!view) return;
  const same = select.options.length === view.options.length && view.options.every((o, i) => select.options[i]?.value === o.value && select.options[i]?.text === o.label);
  if (!same) {
    select.textContent = '';
    for (const o of view.options) {
      const option = document.createElement('option');
      option.value = o.value;
      option.text = o.label;
      option.title = o.detail;
      select.appendChild(option);
    }
  }
  select.value = view.selected;
  select.title = view.options.find((o) => o.value === view.selected)?.detail ?? '';
}
