// @vitest-environment happy-dom
import { toastDismissed } from './toast-dismissed.js';

toastDismissed();
