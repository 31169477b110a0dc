#!/usr/bin/env python3
"""t/tools/sarif_check.py FILE...: checks SARIF 2.1.0 logs.

Checks the part of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json)
that a pperf log uses, written out here from the specification's object
definitions: for each object kind its known properties (an unknown one is
an error, as additionalProperties is false in the schema), required
properties, types, enumerations and minimums; plus what GitHub code
scanning requires on top (a rule id on every result, a location with a
relative URI and a start line, unique rule ids, ruleIndex pointing at the
rule of ruleId, absolute base URIs ending in '/').  Objects of kinds pperf
never writes are not descended into.

Prints one line per problem, "FILE: $.json.path: message", and exits 1
when there is any; 0 and nothing printed when every file passes.
Standard library only.
"""
import json
import re
import sys

LEVELS = ("none", "note", "warning", "error")
KINDS = ("notApplicable", "pass", "fail", "review", "open", "informational")

# URI characters of RFC 3986: unreserved, reserved and percent-escapes
URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

# kind -> (known properties, required properties)
OBJECTS = {
    "sarifLog": ({"$schema", "version", "runs", "inlineExternalProperties", "properties"},
                 {"version", "runs"}),
    "run": ({"tool", "invocations", "conversion", "language", "versionControlProvenance",
             "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
             "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
             "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
             "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
             "translations", "policies", "webRequests", "webResponses", "specialLocations",
             "properties"}, {"tool"}),
    "tool": ({"driver", "extensions", "properties"}, {"driver"}),
    "toolComponent": ({"guid", "name", "organization", "product", "productSuite", "shortDescription",
                       "fullDescription", "fullName", "version", "semanticVersion",
                       "dottedQuadFileVersion", "releaseDateUtc", "downloadUri", "informationUri",
                       "globalMessageStrings", "notifications", "rules", "taxa", "locations",
                       "language", "contents", "isComprehensive", "localizedDataSemanticVersion",
                       "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent",
                       "translationMetadata", "supportedTaxonomies", "properties"}, {"name"}),
    "reportingDescriptor": ({"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
                             "shortDescription", "fullDescription", "messageStrings",
                             "defaultConfiguration", "helpUri", "help", "relationships",
                             "properties"}, {"id"}),
    "multiformatMessageString": ({"text", "markdown", "properties"}, {"text"}),
    "reportingConfiguration": ({"enabled", "level", "rank", "parameters", "properties"}, set()),
    "result": ({"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations",
                "guid", "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints",
                "stacks", "codeFlows", "graphs", "graphTraversals", "relatedLocations", "suppressions",
                "baselineState", "rank", "attachments", "hostedViewerUri", "workItemUris",
                "provenance", "fixes", "taxa", "webRequest", "webResponse", "properties"},
               {"message"}),
    "message": ({"text", "markdown", "id", "arguments", "properties"}, set()),
    "location": ({"id", "physicalLocation", "logicalLocations", "message", "annotations",
                  "relationships", "properties"}, set()),
    "physicalLocation": ({"address", "artifactLocation", "region", "contextRegion", "properties"}, set()),
    "artifactLocation": ({"uri", "uriBaseId", "index", "description", "properties"}, set()),
    "region": ({"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
                "byteOffset", "byteLength", "snippet", "message", "sourceLanguage", "properties"}, set()),
}


class Checker:
    def __init__(self, name):
        self.name = name
        self.errors = []

    def err(self, path, msg):
        self.errors.append("%s: %s: %s" % (self.name, path, msg))

    def obj(self, v, path, kind):
        """True when v is an object of kind with known keys and its required ones."""
        if not isinstance(v, dict):
            self.err(path, "expected %s object, got %s" % (kind, type(v).__name__))
            return False
        known, required = OBJECTS[kind]
        for k in sorted(set(v) - known):
            self.err(path, "unknown property %r of %s" % (k, kind))
        for k in sorted(required - set(v)):
            self.err(path, "missing required property %r of %s" % (k, kind))
        return True

    def string(self, v, path, nonempty=False):
        if not isinstance(v, str):
            self.err(path, "expected string, got %s" % type(v).__name__)
            return False
        if nonempty and not v:
            self.err(path, "empty string")
            return False
        return True

    def integer(self, v, path, minimum):
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(path, "expected integer, got %s" % type(v).__name__)
        elif v < minimum:
            self.err(path, "%d is less than the minimum %d" % (v, minimum))

    def uri(self, v, path, absolute=False):
        if not self.string(v, path):
            return
        if not URI_CHARS.match(v):
            self.err(path, "not a URI reference (characters must be percent-encoded): %r" % v)
        if absolute and not SCHEME.match(v):
            self.err(path, "not an absolute URI: %r" % v)

    def props(self, v, path):
        if not isinstance(v, dict):
            self.err(path, "expected property bag object")
            return
        tags = v.get("tags")
        if tags is not None:
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                self.err(path + ".tags", "expected array of strings")
            elif len(set(tags)) != len(tags):
                self.err(path + ".tags", "tags are not unique")
            elif len(tags) > 20:
                self.err(path + ".tags", "more than 20 tags (GitHub keeps 20)")
        prec = v.get("precision")
        if prec is not None and prec not in ("very-high", "high", "medium", "low"):
            self.err(path + ".precision", "not one of very-high, high, medium, low: %r" % prec)

    def optional(self, v, path, key, fn, *args):
        if key in v:
            fn(v[key], "%s.%s" % (path, key), *args)

    def mfms(self, v, path):
        if self.obj(v, path, "multiformatMessageString"):
            self.optional(v, path, "text", self.string)
            self.optional(v, path, "markdown", self.string)

    def message(self, v, path):
        if not self.obj(v, path, "message"):
            return
        if "text" not in v and "id" not in v:
            self.err(path, "a message needs text or id")
        self.optional(v, path, "text", self.string, True)

    def rule(self, v, path):
        if not self.obj(v, path, "reportingDescriptor"):
            return
        self.optional(v, path, "id", self.string, True)
        self.optional(v, path, "name", self.string)
        for k in ("shortDescription", "fullDescription", "help"):
            self.optional(v, path, k, self.mfms)
        self.optional(v, path, "helpUri", self.uri, True)
        if "defaultConfiguration" in v:
            c, p = v["defaultConfiguration"], path + ".defaultConfiguration"
            if self.obj(c, p, "reportingConfiguration"):
                if "level" in c and c["level"] not in LEVELS:
                    self.err(p + ".level", "not one of %s: %r" % (", ".join(LEVELS), c["level"]))
        self.optional(v, path, "properties", self.props)

    def driver(self, v, path):
        if not self.obj(v, path, "toolComponent"):
            return []
        self.optional(v, path, "name", self.string, True)
        self.optional(v, path, "version", self.string, True)
        self.optional(v, path, "semanticVersion", self.string, True)
        self.optional(v, path, "informationUri", self.uri, True)
        rules = v.get("rules", [])
        if not isinstance(rules, list):
            self.err(path + ".rules", "expected array")
            return []
        ids = []
        for i, r in enumerate(rules):
            self.rule(r, "%s.rules[%d]" % (path, i))
            ids.append(r.get("id") if isinstance(r, dict) else None)
        seen = set()
        for i, rid in enumerate(ids):
            if rid in seen:
                self.err("%s.rules[%d].id" % (path, i), "duplicate rule id %r" % rid)
            seen.add(rid)
        return ids

    def location(self, v, path, bases, primary=True):
        if not self.obj(v, path, "location"):
            return
        self.optional(v, path, "id", self.integer, -1)
        self.optional(v, path, "message", self.message)
        pl = v.get("physicalLocation")
        if pl is None:
            self.err(path, "no physicalLocation (code scanning needs a file)")
            return
        p = path + ".physicalLocation"
        if not self.obj(pl, p, "physicalLocation"):
            return
        al = pl.get("artifactLocation")
        if not self.obj(al, p + ".artifactLocation", "artifactLocation"):
            return
        uri = al.get("uri")
        if uri is None:
            self.err(p + ".artifactLocation", "missing uri")
        else:
            self.uri(uri, p + ".artifactLocation.uri")
            if isinstance(uri, str) and "uriBaseId" in al and (uri.startswith("/") or SCHEME.match(uri)):
                self.err(p + ".artifactLocation.uri", "not relative to its uriBaseId: %r" % uri)
        if "uriBaseId" in al:
            if self.string(al["uriBaseId"], p + ".artifactLocation.uriBaseId", True) and bases is not None \
                    and al["uriBaseId"] not in bases:
                self.err(p + ".artifactLocation.uriBaseId", "%r is not in originalUriBaseIds" % al["uriBaseId"])
        rg = pl.get("region")
        if rg is None:
            if primary:
                self.err(p, "no region (code scanning needs a start line)")
        elif self.obj(rg, p + ".region", "region"):
            if "startLine" not in rg:
                self.err(p + ".region", "missing startLine")
            for k in ("startLine", "startColumn", "endLine", "endColumn"):
                self.optional(rg, p + ".region", k, self.integer, 1)

    def result(self, v, path, ids, bases):
        if not self.obj(v, path, "result"):
            return
        rid = v.get("ruleId")
        if rid is None:
            self.err(path, "missing ruleId")
        else:
            self.string(rid, path + ".ruleId", True)
        if "ruleIndex" in v:
            self.integer(v["ruleIndex"], path + ".ruleIndex", -1)
            ri = v["ruleIndex"]
            if isinstance(ri, int) and ri >= 0 and (ri >= len(ids) or ids[ri] != rid):
                self.err(path + ".ruleIndex", "%r does not name the rule of ruleId %r" % (ri, rid))
        elif rid is not None and rid not in ids:
            self.err(path + ".ruleId", "%r is not a rule of the driver" % rid)
        if "kind" in v and v["kind"] not in KINDS:
            self.err(path + ".kind", "not one of %s" % ", ".join(KINDS))
        if "level" in v and v["level"] not in LEVELS:
            self.err(path + ".level", "not one of %s: %r" % (", ".join(LEVELS), v["level"]))
        self.optional(v, path, "message", self.message)
        locs = v.get("locations")
        if not isinstance(locs, list) or not locs:
            self.err(path + ".locations", "expected a non-empty array")
        else:
            for i, loc in enumerate(locs):
                self.location(loc, "%s.locations[%d]" % (path, i), bases)
        rel = v.get("relatedLocations", [])
        if not isinstance(rel, list):
            self.err(path + ".relatedLocations", "expected array")
        else:
            for i, loc in enumerate(rel):
                self.location(loc, "%s.relatedLocations[%d]" % (path, i), bases, False)
        for k in ("partialFingerprints", "fingerprints"):
            fp = v.get(k)
            if fp is None:
                continue
            if not isinstance(fp, dict) or not all(isinstance(x, str) and x for x in fp.values()):
                self.err("%s.%s" % (path, k), "expected an object of non-empty strings")
        self.optional(v, path, "properties", self.props)

    def run(self, v, path):
        if not self.obj(v, path, "run"):
            return
        ids = []
        if self.obj(v.get("tool"), path + ".tool", "tool"):
            ids = self.driver(v["tool"].get("driver"), path + ".tool.driver")
        bases = None
        if "originalUriBaseIds" in v:
            b, p = v["originalUriBaseIds"], path + ".originalUriBaseIds"
            if not isinstance(b, dict):
                self.err(p, "expected object")
            else:
                bases = set(b)
                for k, al in sorted(b.items()):
                    q = "%s[%s]" % (p, json.dumps(k))
                    if self.obj(al, q, "artifactLocation") and "uri" in al:
                        self.uri(al["uri"], q + ".uri", "uriBaseId" not in al)
                        if isinstance(al["uri"], str) and not al["uri"].endswith("/"):
                            self.err(q + ".uri", "a base URI must end with '/'")
        if "columnKind" in v and v["columnKind"] not in ("utf16CodeUnits", "unicodeCodePoints"):
            self.err(path + ".columnKind", "not utf16CodeUnits or unicodeCodePoints")
        results = v.get("results", [])
        if not isinstance(results, list):
            self.err(path + ".results", "expected array")
            return
        if len(results) > 25000:
            self.err(path + ".results", "more than 25000 results (GitHub's limit per run)")
        for i, r in enumerate(results):
            self.result(r, "%s.results[%d]" % (path, i), ids, bases)

    def log(self, v):
        if not self.obj(v, "$", "sarifLog"):
            return
        if v.get("version") != "2.1.0":
            self.err("$.version", "expected \"2.1.0\", got %r" % v.get("version"))
        self.optional(v, "$", "$schema", self.uri, True)
        runs = v.get("runs")
        if not isinstance(runs, list) or not runs:
            self.err("$.runs", "expected a non-empty array")
            return
        for i, r in enumerate(runs):
            self.run(r, "$.runs[%d]" % i)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: sarif_check.py file...\n")
        return 2
    bad = 0
    for name in argv[1:]:
        c = Checker(name)
        try:
            with open(name, encoding="utf-8") as fp:
                doc = json.load(fp)
        except (OSError, ValueError) as e:
            c.err("$", "cannot read JSON: %s" % e)
        else:
            c.log(doc)
        for e in c.errors:
            print(e)
        bad |= bool(c.errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
