// Mocha reporter for the unit stage of `npm test`: mocha's spec output, plus the counts written as JSON
// ({passed, failed, pending, total, failures: [{title, error}]}) to the file named by SAE_UNIT_RESULTS_FILE
// (or the reporter option `output`), which test/run-all.sh adds to the integration counts.
'use strict';
const fs = require('fs');
const path = require('path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SaeReporter extends Mocha.reporters.Spec {
  constructor(runner, options = {}) {
    super(runner, options);
    const file = (options.reporterOption && options.reporterOption.output) || process.env.SAE_UNIT_RESULTS_FILE;
    const failures = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      failures.push({ title: test.fullTitle(), error: String((err && err.message) || err) });
    });
    runner.once(EVENT_RUN_END, () => {
      if (!file) return;
      const s = runner.stats || {};
      const results = {
        passed: s.passes || 0,
        failed: s.failures || 0,
        pending: s.pending || 0,
        total: (s.passes || 0) + (s.failures || 0) + (s.pending || 0),
        failures,
      };
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(results, null, 1));
    });
  }
}

module.exports = SaeReporter;
