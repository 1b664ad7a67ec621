export { startTestPlatform, startTestServer, testConfig, testTarget, TEST_ADMIN_PASSWORD, type TestPlatform } from './test-platform.ts';
export { launchBrowser, screenshot } from './browser.ts';
export { apiClient, loginAs, type ApiClient, type ApiResponse } from './api-client.ts';
export { eventually } from './eventually.ts';
