/**
 * A DOM for TestBed under Node: jsdom's window, with the globals Angular's
 * browser platform reads. Import it before anything from Angular.
 */
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('<!doctype html><html><head></head><body></body></html>', { url: 'http://localhost/' });

const names = ['window', 'document', 'navigator', 'location', 'getComputedStyle', 'Node', 'Element', 'HTMLElement', 'HTMLInputElement', 'Text', 'Comment', 'DocumentFragment', 'Event', 'KeyboardEvent', 'MouseEvent'] as const;
const scope = globalThis as Record<string, unknown>;
const source = window as unknown as Record<string, unknown>;
for (const name of names) {
  if (!(name in scope)) scope[name] = name === 'window' ? window : source[name];
}
