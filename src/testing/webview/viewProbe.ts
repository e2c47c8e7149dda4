// Test mode only: what the probe reads of the view controls (dark mode, width) and the Clients tab, from the DOM and
// the email frame as the page shows them (see ../messages.ts for the shapes).
import type { ClientRowState, ClientsState, DarkState } from '../messages';

export function darkState(frame: HTMLIFrameElement | null): DarkState {
  const paper = document.getElementById('paper') as HTMLElement;
  const style = frame ? getComputedStyle(frame) : null;
  const doc = frame?.contentDocument;
  return {
    mode: paper.dataset.dark ?? '',
    frameFilter: style?.filter ?? '',
    frameColorScheme: style?.colorScheme ?? '',
    imagesReinverted: !!doc?.getElementById('sae-dark-reinvert'),
    bodyBackground: doc?.body && frame?.contentWindow ? frame.contentWindow.getComputedStyle(doc.body).backgroundColor : '',
    bodyColor: doc?.body && frame?.contentWindow ? frame.contentWindow.getComputedStyle(doc.body).color : '',
  };
}

function rowsOf(selector: string): ClientRowState[] {
  return Array.from(document.querySelectorAll<HTMLTableRowElement>(`${selector} tr.issue`)).map((tr) => {
    const cells = Array.from(tr.cells);
    return {
      severity: tr.classList.contains('error') ? 'error' : 'warning',
      feature: tr.querySelector('.feature')?.textContent ?? '',
      marks: cells.slice(1, -2).map((td) => td.textContent ?? ''),
      line: cells[cells.length - 2]?.textContent ?? '',
      phone: !!tr.querySelector('.phone'),
      tested: cells[cells.length - 1]?.textContent ?? '',
    };
  });
}

export function clientsState(): ClientsState {
  const view = document.getElementById('view-clients') as HTMLElement;
  const head = Array.from(view.querySelectorAll('table.clients-table tr:first-child th')).map((th) => th.textContent ?? '');
  return {
    tabLabel: document.getElementById('tab-clients')?.textContent ?? '',
    families: head.slice(1, -2),
    rows: rowsOf('#view-clients table.clients-table'),
    other: rowsOf('#view-clients table.other-table'),
    notes: Array.from(view.querySelectorAll(':scope > p')).map((p) => p.textContent ?? ''),
    atPhoneWidth: view.classList.contains('at-phone-width'),
  };
}
