# examples/partial.mk: a pperf audit as make(1) targets, for partial and
# incremental audits.  The context is computed once (ctx.json), each auditor
# is its own target reading it, so `make -j3` runs them side by side, and the
# report merges whichever results exist.
#
#   make -f partial.mk -j3 ROOT=path/to/app           the whole audit
#   make -f partial.mk -j3 ROOT=app AUDITS='query txn' two auditors only
#   make -f partial.mk runtime.json                   one result
#   make -f partial.mk clean                          start over
#
# PPERF is the pperf driver (its "pperf PHASE" form runs each phase).  Every
# file is written to FILE.tmp and renamed, so an interrupted or failed step
# never leaves a half-written target that make would take as done.  A failed
# pperf-discover writes nothing, and pperf-research rejects an empty input,
# so the pipe into ctx.json fails as a whole.  Results made earlier (or
# copied from other machines) are merged too: aggregate takes any number of
# results of any category.

PPERF  ?= pperf
ROOT   ?= .
AUDITS ?= query txn runtime

report.md: report.json
	$(PPERF) publish -o $@ report.json

report.json: ctx.json $(AUDITS:=.json)
	$(PPERF) aggregate --context ctx.json $(wildcard query.json txn.json runtime.json) > $@.tmp
	mv -f $@.tmp $@

ctx.json:
	$(PPERF) discover -- "$(ROOT)" | $(PPERF) research > $@.tmp
	mv -f $@.tmp $@

query.json: ctx.json
	$(PPERF) audit-query < ctx.json > $@.tmp
	mv -f $@.tmp $@

txn.json: ctx.json
	$(PPERF) audit-txn < ctx.json > $@.tmp
	mv -f $@.tmp $@

runtime.json: ctx.json
	$(PPERF) audit-runtime < ctx.json > $@.tmp
	mv -f $@.tmp $@

clean:
	rm -f ctx.json query.json txn.json runtime.json report.json report.md *.tmp

.PHONY: clean
