// @vitest-environment jsdom
import { toastDismissed } from './toast-dismissed.js';

toastDismissed();
