#!/usr/bin/python3
# Holds every Grafana dashboard in dashboards/ to the conventions of the
# best exporters' mixins, and every metric a dashboard or rule names to
# what vsvad exports: the measurement table's families (build/table.json,
# written by build/vsva-table; $VSVA_TABLE_JSON overrides), whose label
# selectors must name their labels, and the few families vsvad writes
# about itself.  TAP-style lines.
import glob
import json
import os
import re
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TABLE = os.environ.get("VSVA_TABLE_JSON",
                       os.path.join(TOP, "build", "table.json"))
ANY_LABELS = {"job", "instance", "le"}
results = []


def check(what, good, detail=""):
    results.append(good)
    print(f"{'ok' if good else 'not ok'} - {what}" +
          ("" if good or not detail else f": {detail}"))


def table_series():
    """Every series of the measurement table's families, with the labels
    of its family: {series: labels}."""
    try:
        with open(TABLE) as f:
            t = json.load(f)
    except (OSError, ValueError) as e:
        check(f"the measurement table {TABLE} (make writes it)", False,
              str(e))
        return {}
    check("the measurement table read from its JSON",
          len(t.get("measurements", [])) > 0, TABLE)
    return {s: set(fam["labels"]) for m in t["measurements"]
            for fam in m["families"] for s in fam["series"]}


def own_series():
    """What vsvad exports about itself, outside the table: the engine's
    and the daemon's families where they are written (not measurements,
    so not in the table's JSON); histograms with their series."""
    names = {}
    for path in glob.glob(os.path.join(TOP, "src", "*", "*.c")):
        text = open(path).read()
        for m in re.finditer(r'vsva_snap_family\(\s*\w+,\s*"(vsva_[a-z_0-9]+)"'
                             r'.*?VSVA_(COUNTER|GAUGE|HISTOGRAM)', text, re.S):
            names.setdefault(m.group(1), m.group(2))
    series = set()
    for n, t in names.items():
        if t == "HISTOGRAM":
            series |= {n + "_bucket", n + "_count", n + "_sum"}
        else:
            series.add(n)
    return series


def exported():
    """Metric names vsvad exports: {series: its labels, or None where
    they are not known (vsvad's own)}."""
    known = {s: None for s in own_series()}
    known.update(table_series())
    return known


METRIC = re.compile(r'\b(vsva_[a-z0-9_]+)(\{[^}]*\})?')


def check_expr(tag, expr, known, heatmap):
    problems = []
    for m in METRIC.finditer(expr):
        name, sel = m.group(1), m.group(2) or ""
        if name not in known:
            problems.append(f"{name} is not a metric vsvad exports")
        elif known[name] is not None:
            extra = set(re.findall(r'([a-zA-Z_]\w*)\s*[=!]', sel)) - \
                known[name] - ANY_LABELS
            if extra:
                problems.append(f"{name} has no label "
                                f"{', '.join(sorted(extra))}")
        if 'job=~"$job"' not in sel or 'instance=~"$instance"' not in sel:
            problems.append(f"{name} not filtered by job and instance")
        before = expr[:m.start()]
        if name.endswith("_total") and not re.search(r'(rate|increase)\($',
                                                     before):
            problems.append(f"{name} outside rate()/increase()")
        if name.endswith("_bucket"):
            g = re.search(r'by \(([^)]*)\) \((rate|increase)\($', before)
            if not g or "le" not in [x.strip() for x in g.group(1).split(",")]:
                problems.append(f"{name} not summed by le")
    for w in re.findall(r'(?:rate|increase)\([^\[]*\[([^\]]*)\]', expr):
        if w != "$__rate_interval":
            problems.append(f"range [{w}] instead of [$__rate_interval]")
    if heatmap and not expr.startswith("sum by (le) ("):
        problems.append("a heatmap target not over sum by (le)")
    check(f"{tag}: query", not problems, "; ".join(problems) + f" in {expr}")


def check_vars(name, d):
    v = d.get("templating", {}).get("list", [])
    names = [x.get("name") for x in v]
    check(f"{name}: variables datasource, job, instance first",
          names[:3] == ["datasource", "job", "instance"], str(names))
    if v and v[0].get("name") == "datasource":
        check(f"{name}: datasource variable is a Prometheus data source "
              "labelled 'Data source'",
              (v[0].get("type"), v[0].get("query"), v[0].get("label")) ==
              ("datasource", "prometheus", "Data source"))
    rest = names[3:]
    check(f"{name}: then vm and device only", all(n in ("vm", "device")
                                                  for n in rest), str(rest))
    for x in v[1:]:
        check(f"{name}: variable {x.get('name')} multi, All, allValue '.+', "
              "on ${datasource}",
              x.get("multi") is True and x.get("includeAll") is True and
              x.get("allValue") == ".+" and
              x.get("datasource", {}).get("uid") == "${datasource}")


def check_dashboard(path, known):
    name = os.path.basename(path)
    try:
        d = json.load(open(path))
    except ValueError as e:
        check(f"{name}: JSON", False, str(e))
        return
    check(f"{name}: schemaVersion >= 36", d.get("schemaVersion", 0) >= 36)
    check(f"{name}: fixed uid (the file's name)",
          d.get("uid") == name[:-5])
    check(f"{name}: not editable", d.get("editable") is False)
    check(f"{name}: tagged vsva", "vsva" in d.get("tags", []))
    check_vars(name, d)
    panels = d.get("panels", [])
    check(f"{name}: has panels", len(panels) > 0)
    ids = [p.get("id") for p in panels]
    check(f"{name}: panel ids unique", len(ids) == len(set(ids)))
    for p in panels:
        tag = f"{name}: panel '{p.get('title')}'"
        ds = p.get("datasource", {}).get("uid")
        unit = p.get("fieldConfig", {}).get("defaults", {}).get("unit")
        check(f"{tag}: on ${{datasource}}, a unit, a description",
              ds == "${datasource}" and bool(unit) and
              bool(p.get("description")), f"datasource {ds}, unit {unit}")
        targets = p.get("targets", [])
        check(f"{tag}: has targets", len(targets) > 0)
        for t in targets:
            check(f"{tag}: target {t.get('refId')} on ${{datasource}}",
                  t.get("datasource", {}).get("uid") == "${datasource}")
            if p.get("type") == "heatmap":
                check(f"{tag}: heatmap target formatted as heatmap",
                      t.get("format") == "heatmap")
            check_expr(f"{tag} {t.get('refId')}", t.get("expr", ""), known,
                       p.get("type") == "heatmap")


def check_rules(path, known):
    text = open(path).read()
    for m in METRIC.finditer(text):
        n = m.group(1)
        check(f"{os.path.basename(path)}: {n} is exported",
              n in known or n.startswith("vsva_:"), n)


def main():
    known = exported()
    table = sum(v is not None for v in known.values())
    check("vsvad's exported metrics: the table's series and its own",
          table > 30 and len(known) > table,
          f"{table} of the table, {len(known) - table} its own")
    boards = sys.argv[1:] or sorted(glob.glob(os.path.join(TOP, "dashboards",
                                                            "*.json")))
    if not sys.argv[1:]:
        check("four dashboards", len(boards) >= 4, str(len(boards)))
    for b in boards:
        check_dashboard(b, known)
    for r in [] if sys.argv[1:] else glob.glob(os.path.join(TOP, "dashboards",
                                                            "*.yml")):
        check_rules(r, known)
    print(f"# {results.count(True)} passed, {results.count(False)} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
