#!/usr/bin/python3
# Every panel expression of the given dashboards, with Grafana's variables
# substituted, queried on a Prometheus: TAP lines.  A panel must return
# data unless --may-be-empty names it (TITLE=WHY, or TITLE/REFID=WHY for
# one target; WHY is printed), or --run-only names its dashboard (the
# query must only run).
#   panel-queries.py PROM BOARD.json... [--may-be-empty 'TITLE=WHY']...
#                    [--run-only BOARD.json]
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def query(prom, expr):
    url = f"http://{prom}/api/v1/query?" + urllib.parse.urlencode(
        {"query": expr})
    try:
        j = json.load(urllib.request.urlopen(url, timeout=10))
    except urllib.error.HTTPError as e:
        return "error", json.load(e).get("error", str(e))
    except (urllib.error.URLError, OSError) as e:
        return "error", str(e)
    return j.get("status"), j.get("data", {}).get("result", [])


def main():
    prom, boards, empty, run_only = sys.argv[1], [], {}, set()
    args = iter(sys.argv[2:])
    for a in args:
        if a == "--may-be-empty":
            title, why = next(args).split("=", 1)
            empty[title] = why
        elif a == "--run-only":
            run_only.add(os.path.basename(next(args)))
        else:
            boards.append(a)
    for path in boards:
        name = os.path.basename(path)
        for p in json.load(open(path))["panels"]:
            for t in p["targets"]:
                expr = t["expr"]
                for var, val in (("$__rate_interval", "1m"), ("$job", ".+"),
                                 ("$instance", ".+"), ("$vm", ".+"),
                                 ("$device", ".+")):
                    expr = expr.replace(var, val)
                status, res = query(prom, expr)
                tag = f"{name}: {p['title']} {t['refId']}"
                if status != "success":
                    print(f"not ok - {tag}: query error: {res}")
                elif res:
                    print(f"ok - {tag}: {len(res)} series")
                elif name in run_only:
                    print(f"ok - {tag}: runs (no data here)")
                elif f"{p['title']}/{t['refId']}" in empty:
                    print(f"ok - {tag}: no data: "
                          f"{empty[p['title'] + '/' + t['refId']]}")
                elif p["title"] in empty:
                    print(f"ok - {tag}: no data: {empty[p['title']]}")
                else:
                    print(f"not ok - {tag}: no data for {expr}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
