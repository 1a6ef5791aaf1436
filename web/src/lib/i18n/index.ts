import { addMessages, init, locale } from 'svelte-i18n';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type AppLocale = (typeof LOCALES)[number];

const LOCALE_KEY = 'outpost:locale';
let started = false;

/** Chinese when the browser prefers it, English otherwise, unless the person chose. */
export function preferredLocale(): AppLocale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY);
    if (isAppLocale(saved)) return saved;
  } catch {
    // No storage: fall through to the browser language.
  }
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  return languages[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Registers both dictionaries (bundled, so they work offline) and picks the locale. */
export function startI18n(): void {
  if (started) return;
  started = true;
  addMessages('en', en);
  addMessages('zh-CN', zhCN);
  void init({ fallbackLocale: 'en', initialLocale: preferredLocale() });
  locale.subscribe((value) => {
    if (value) document.documentElement.lang = value;
  });
}

export function setLocale(value: AppLocale): void {
  try {
    localStorage.setItem(LOCALE_KEY, value);
  } catch {
    // Not persisted; still switch for this session.
  }
  void locale.set(value);
}
