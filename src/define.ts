/**
 * Registers every tag of the kit and installs the design tokens. A legacy page needs only
 * `<script type="module" src="/kit/define.js"></script>`.
 *
 * The provider is registered first so a page's widgets find it at once; the other order works
 * too (the page's ContextRoot replays their requests), it just costs a replay.
 */
import './elements/realtime-provider/define.js';
import './elements/connection-status/define.js';
import './elements/presence/define.js';
import './elements/conflict-dialog/define.js';
import './elements/notification-center/define.js';
import './elements/collaborative-form/define.js';
import './elements/activity-feed/define.js';
import './elements/huddle/define.js';
