"""The test rig: what makes every notebook number checkable on every machine.

Not tests themselves (those are in `tests/`), but the machinery `make test`, `make execute`
and `make envelope` run:

* `nbval_tolerance`: the nbval plugin that compares a re-run notebook with its committed
  outputs, numbers within the seed envelope, figures within their tolerance;
* `seed_envelope`: `make envelope` (the notebooks re-run per training seed) and the file it
  writes, `seed_envelope.json`; `make execute`'s refresh of it;
* `notebook_timing`: the pytest plugin that prints each notebook's time after nbval;
* `regression_demo.sh`: maintainers' slips (a tenfold learning rate, ...) that nbval must catch.
"""
