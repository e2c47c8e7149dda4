// Test mode only: the probe first (its listeners run before the page's), then the page script itself.
import './probe';
import '../../webview/preview';
