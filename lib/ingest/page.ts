import type { EventOf } from '#lib/events/schema.ts';

/** Whether a page is connected now: the latest page.connected / page.disconnected by `at` wins. */
export type PageState = { shopId: string; pageId: string; v: number; ids: string[]; connected?: boolean; lastAt?: number };

export function emptyPage(shopId: string, pageId: string): PageState {
  return { shopId, pageId, v: 0, ids: [] };
}

export function applyPageEvent(state: PageState, ev: EventOf<'page.connected' | 'page.disconnected'>): PageState {
  if (state.ids.includes(ev.id)) return state;
  const t = Date.parse(ev.at);
  const newer = state.lastAt === undefined || t >= state.lastAt;
  return {
    ...state,
    ids: [...state.ids, ev.id].slice(-200),
    ...(newer ? { connected: ev.kind === 'page.connected', lastAt: t } : {}),
  };
}
