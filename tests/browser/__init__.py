"""Browser tests: a live server driven by Chromium through Playwright."""
