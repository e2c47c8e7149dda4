/**
 * Checks what the webview posts before the panel acts on it. The page runs our script only, but its messages are
 * still input: an unknown `type` or `action`, or a field of the wrong shape, is ignored (and logged by the caller),
 * never acted on and never thrown.
 */
import { ACTIONS, FIELD_NAMES, type Action, type FromWebview, type HeaderFields } from './messages';

export type Checked = { message: FromWebview } | { ignored: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fieldsOf(value: unknown): Partial<HeaderFields> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Partial<HeaderFields> = {};
  for (const name of FIELD_NAMES) {
    const v = value[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') return undefined;
    out[name] = v;
  }
  return out;
}

/** The message, checked, or why it is ignored. */
export function checkFromWebview(value: unknown): Checked {
  if (!isRecord(value) || typeof value.type !== 'string') return { ignored: 'a message without a type' };
  const type = value.type;
  switch (type) {
    case 'ready':
    case 'loadRemoteImages':
    case 'setUp':
      return { message: { type } };
    case 'account':
      return typeof value.name === 'string' && value.name.length <= 200
        ? { message: { type, name: value.name } }
        : { ignored: 'an account that is not a name' };
    case 'headers': {
      const fields = fieldsOf(value.fields);
      return fields ? { message: { type, fields } } : { ignored: 'headers with fields that are not text' };
    }
    case 'action': {
      const action = value.action;
      return typeof action === 'string' && (ACTIONS as readonly string[]).includes(action)
        ? { message: { type, action: action as Action } }
        : { ignored: `an unknown action ${JSON.stringify(action)}` };
    }
    case 'revealLine': {
      const line = value.line;
      return typeof line === 'number' && Number.isInteger(line) && line >= 1 && line <= 10_000_000
        ? { message: { type, line } }
        : { ignored: `revealLine without a line number (${JSON.stringify(line)})` };
    }
    case 'shown': {
      const renderId = value.renderId;
      return typeof renderId === 'number' && Number.isInteger(renderId) && renderId >= 1
        ? { message: { type, renderId } }
        : { ignored: `shown without a render id (${JSON.stringify(renderId)})` };
    }
    case 'openLink':
      return typeof value.href === 'string' && value.href.length <= 8192
        ? { message: { type, href: value.href } }
        : { ignored: 'openLink without a link' };
    case 'needImages':
      return Array.isArray(value.cids) && value.cids.every((c) => typeof c === 'string')
        ? { message: { type, cids: value.cids as string[] } }
        : { ignored: 'needImages without a list of image ids' };
    case 'mergeRow': {
      const index = value.index;
      return typeof index === 'number' && Number.isInteger(index) && index >= 1 && index <= 10_000_000
        ? { message: { type, index } }
        : { ignored: `mergeRow without a row number (${JSON.stringify(index)})` };
    }
    default:
      return { ignored: `an unknown message type ${JSON.stringify(type.slice(0, 40))}` };
  }
}
