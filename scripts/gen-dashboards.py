#!/usr/bin/python3
# Writes the Grafana dashboards in dashboards/ (plain JSON, committed):
# overview, KVM memslots, interrupts, IOMMU.  Run it after changing a
# panel (after make: it reads the measurement table from build/table.json,
# which build/vsva-table writes); tests/static/test_dashboards.sh holds
# every dashboard to the conventions of the best exporters' mixins and
# checks that this script reproduces them, and tests/live/
# test_dashboards.sh runs every panel's query on a real Prometheus.
#
#   gen-dashboards.py [--table build/table.json] [--out dashboards]
#
# Every metric of a measurement is looked up in the table, with the labels
# a query selects or groups by: a family renamed, retyped or relabelled in
# vsva/measurements.def stops this script instead of leaving a dashboard
# that shows nothing.  vsvad's metrics about itself (vsva_build_info, ...) are
# not measurements: own() names them, and tests/static/dashboards_check.py
# holds them to what vsvad exports.
import argparse
import json
import os
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job",instance=~"$instance"'
VM = SEL + ',vm=~"$vm"'
DEV = SEL + ',device=~"$device"'
RI = "$__rate_interval"
# labels of every series, beside a family's own
ANY_LABELS = {"job", "instance", "le"}


class Table:
    """The measurement table's metric families, from build/table.json."""

    def __init__(self, path):
        try:
            with open(path) as f:
                t = json.load(f)
        except (OSError, ValueError) as e:
            sys.exit(f"gen-dashboards: {path}: {e} (make writes it)")
        self.families, self.series = {}, {}
        for m in t["measurements"]:
            for fam in m["families"]:
                self.families[fam["name"]] = fam
                for s in fam["series"]:
                    self.series[s] = fam

    def metric(self, name, sel="", by=""):
        """@name, a series of a family in the table, that has the labels
        @sel selects and @by groups by."""
        fam = self.series.get(name)
        if not fam:
            sys.exit(f"gen-dashboards: {name} is no series of the "
                     "measurement table (vsva/measurements.def); own() "
                     "names vsvad's own metrics")
        return self.labelled(name, fam, sel, by)

    def histogram(self, name, sel="", by=""):
        """@name, a histogram of the table, with those labels."""
        fam = self.families.get(name)
        if not fam or fam["type"] != "histogram":
            sys.exit(f"gen-dashboards: {name} is no histogram of the "
                     "measurement table (vsva/measurements.def)")
        return self.labelled(name, fam, sel, by)

    @staticmethod
    def labelled(name, fam, sel, by):
        used = {x.split("=")[0] for x in sel.split(",") if x}
        used |= {x.strip() for x in by.split(",") if x.strip()}
        extra = used - ANY_LABELS - set(fam["labels"])
        if extra:
            sys.exit(f"gen-dashboards: {name} has no label "
                     f"{', '.join(sorted(extra))} (its labels: "
                     f"{', '.join(fam['labels']) or 'none'})")
        return name


TABLE = None


def m(name, sel="", by=""):
    """A metric of the measurement table, with the labels used."""
    return TABLE.metric(name, sel, by)


class Own(str):
    """The name of a metric vsvad exports about itself."""


def own(name):
    """A metric vsvad exports about itself: not a measurement."""
    if name in TABLE.series:
        sys.exit(f"gen-dashboards: {name} is in the measurement table: m()")
    return Own(name)


def rate(metric, sel, by):
    if not isinstance(metric, Own):
        m(metric, sel, by)
    return f"sum by ({by}) (rate({metric}{{{sel}}}[{RI}]))"


def quantile(q, metric, sel, by):
    TABLE.histogram(metric, sel, by)
    return (f"histogram_quantile({q}, sum by ({by}, le) "
            f"(rate({metric}_bucket{{{sel}}}[{RI}])))")


class Board:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.y, self.x, self.row_h = [], 0, 0, 0

    def panel(self, kind, title, description, unit, targets, w=12, h=8,
              **extra):
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        self.row_h = max(self.row_h, h)
        p = {
            "id": len(self.panels) + 1, "type": kind, "title": title,
            "description": description, "datasource": DS,
            "gridPos": {"x": self.x, "y": self.y, "w": w, "h": h},
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {}, "targets": [],
        }
        for i, t in enumerate(targets):
            expr, legend = t[0], t[1]
            target = {"refId": chr(ord("A") + i), "datasource": DS,
                      "expr": expr, "legendFormat": legend}
            if kind == "heatmap":
                target.update(format="heatmap", legendFormat="{{le}}")
            if kind == "table":
                target.update(format="table", instant=True)
            p["targets"].append(target)
        if kind == "heatmap":
            p["options"] = {"calculate": False, "yAxis": {"unit": unit},
                            "cellGap": 1, "color": {"scheme": "Oranges"}}
        p.update(extra)
        self.panels.append(p)
        self.x += w
        return p

    def heatmap(self, title, description, metric, sel):
        TABLE.histogram(metric, sel)
        return self.panel("heatmap", title, description, "s", [(
            f"sum by (le) (rate({metric}_bucket{{{sel}}}[{RI}]))", "")])

    def json(self, with_vm=False, with_device=False):
        def var(name, label, query):
            return {"name": name, "label": label, "type": "query",
                    "datasource": DS, "query": query, "refresh": 2,
                    "multi": True, "includeAll": True, "allValue": ".+",
                    "current": {"text": "All", "value": "$__all"},
                    "sort": 1}
        variables = [
            {"name": "datasource", "label": "Data source",
             "type": "datasource", "query": "prometheus",
             "current": {}, "hide": 0},
            var("job", "Job", f"label_values({own('vsva_build_info')}, "
                "job)"),
            var("instance", "Instance", "label_values("
                f"{own('vsva_build_info')}{{job=~\"$job\"}}, instance)"),
        ]
        if with_vm:
            info = m("vsva_kvm_vm_info", SEL, "vm")
            variables.append(var("vm", "VM", "label_values("
                                 f"{info}{{{SEL}}}, vm)"))
        if with_device:
            count = m("vsva_iommu_pasid_attach_seconds_count", SEL, "device")
            variables.append(var("device", "Device", "label_values("
                                 f"{count}{{{SEL}}}, device)"))
        return {
            "uid": self.uid, "title": self.title,
            "description": self.description, "tags": ["vsva"],
            "editable": False, "schemaVersion": 39, "version": 1,
            "time": {"from": "now-1h", "to": "now"}, "refresh": "30s",
            "timezone": "", "graphTooltip": 1,
            "templating": {"list": variables}, "annotations": {"list": []},
            "links": [{"title": "vsva dashboards", "type": "dashboards",
                       "tags": ["vsva"], "asDropdown": True}],
            "panels": self.panels,
        }


def overview():
    b = Board("vsva-overview", "vsva / Overview",
              "Per host: which probe each measurement uses, what vsvad "
              "dropped, the VMs it keeps, and what it costs.")
    b.panel("table", "Probe rungs",
            "The rung of each measurement's probe ladder this kernel "
            "supports (none: unavailable, reason says why); approximate "
            "measurements are flagged.", "none",
            [(f"max by (instance, measurement, rung, approximate, reason) "
              f"({own('vsva_probe_info')}{{{SEL}}})", "")], w=24, h=10)
    b.panel("stat", "Approximate measurements",
            "Measurements taken on a rung that can only approximate them.",
            "short", [(f"count({own('vsva_probe_info')}"
                       f'{{{SEL},approximate="true"}}) or vector(0)', "")],
            w=6, h=4)
    b.panel("stat", "Unavailable measurements",
            "Measurements this kernel cannot support (see the reasons).",
            "short", [(f"count({own('vsva_probe_info')}"
                       f'{{{SEL},rung="none"}}) or vector(0)', "")],
            w=6, h=4)
    b.panel("stat", "VMs retained",
            "VMs vsvad keeps: running, and exited within the retention "
            "window.", "short",
            [(f"sum({m('vsva_vms_retained', SEL)}{{{SEL}}})", "")],
            w=6, h=4)
    b.panel("stat", "VMMs known",
            "Processes vsvad knows as VMMs.", "short",
            [(f"sum({m('vsva_kvm_vmms_known', SEL)}{{{SEL}}})", "")],
            w=6, h=4)
    b.panel("timeseries", "Dropped events",
            "Events the BPF programs could not record, by reason; any "
            "non-zero rate makes the figures incomplete.", "cps",
            [(rate(own("vsva_events_dropped_total"), SEL,
                   "instance, reason"),
              "{{instance}} {{reason}}")])
    b.panel("timeseries", "Scrape duration",
            "How long vsvad took to build /metrics.", "s",
            [(f"max by (instance) "
              f"({own('vsva_scrape_duration_seconds')}{{{SEL}}})",
              "{{instance}}")])
    b.panel("timeseries", "BPF programs: CPU",
            "CPU time vsva's BPF programs take, as a share of one CPU "
            "(needs kernel.bpf_stats_enabled).", "percentunit",
            [(rate(own("vsva_bpf_prog_run_seconds_total"), SEL,
                   "instance, prog"), "{{instance}} {{prog}}")])
    b.panel("timeseries", "BPF programs: cost per event",
            "Average run time of each program per event.", "s",
            [(rate(own("vsva_bpf_prog_run_seconds_total"), SEL,
                   "instance, prog") + " / " +
              rate(own("vsva_bpf_prog_runs_total"), SEL, "instance, prog"),
              "{{instance}} {{prog}}")])
    return b.json()


def memslots():
    b = Board("vsva-kvm-memslots", "vsva / KVM memslots",
              "Memslot deletions and the KVM MMU zaps they cause, per VM: "
              "rate, zap time, pages rebuilt afterwards.")
    b.panel("timeseries", "Deletions by VM and mode",
            "Memslot deletions per second (all_fast: the whole MMU "
            "zapped; memslot: only the slot's pages).", "ops",
            [(rate("vsva_kvm_memslot_zap_total", VM, "vm, mode"),
              "{{vm}} {{mode}}")])
    b.panel("timeseries", "Zap time p50 / p99",
            "Time of the zap a deletion causes, from vsva's histogram.",
            "s",
            [(quantile(0.5, "vsva_kvm_memslot_zap_seconds", VM, "vm, mode"),
              "p50 {{vm}} {{mode}}"),
             (quantile(0.99, "vsva_kvm_memslot_zap_seconds", VM,
                       "vm, mode"), "p99 {{vm}} {{mode}}")])
    b.heatmap("Zap time heatmap",
              "Distribution of zap times over all selected VMs.",
              "vsva_kvm_memslot_zap_seconds", VM)
    b.panel("timeseries", "MMU pages rebuilt per zap",
            "Pages the guest's MMU built again after each zap.", "short",
            [(rate("vsva_kvm_mmu_pages_rebuilt_total", VM, "vm, mode")
              + " / " + rate("vsva_kvm_memslot_zap_total", VM, "vm, mode"),
              "{{vm}} {{mode}}")])
    b.panel("timeseries", "Shadow pages zapped",
            "Shadow MMU pages zapped per second, by what zapped them.",
            "ops", [(rate("vsva_kvm_mmu_shadow_pages_zapped_total", VM,
                          "vm, mode"), "{{vm}} {{mode}}")])
    b.panel("timeseries", "MMU pages created",
            "New MMU pages per second.", "ops",
            [(rate("vsva_kvm_mmu_pages_created_total", VM, "vm"), "{{vm}}")])
    b.panel("timeseries", "Failed deletions",
            "Deletion ioctls that failed, per second.", "ops",
            [(rate("vsva_kvm_memslot_delete_errors_total", VM, "vm"),
              "{{vm}}")])
    return b.json(with_vm=True)


def interrupts():
    b = Board("vsva-interrupts", "vsva / Interrupts",
              "Software interrupt injections by VM and path, the share of "
              "device interrupts that bypassed them, posted-interrupt "
              "events, bypass producers and connections.")
    b.panel("timeseries", "Software injections by VM and path",
            "Interrupts KVM injected in software (irqfd MSIs, IOAPIC and "
            "PIC pins): bypass misses.", "cps",
            [(rate("vsva_kvm_irq_injected_total", VM, "vm, path"),
              "{{vm}} {{path}}")])
    b.panel("timeseries", "GSI assertions",
            "Level GSIs asserted, per VM.", "cps",
            [(rate("vsva_kvm_irq_gsi_asserted_total", VM, "vm"), "{{vm}}")])
    posted = (f"{m('vsva_posted_interrupts_total', SEL + ',kind')}"
              f'{{{SEL},kind=~"notification|wakeup"}}')
    b.panel("timeseries", "Bypass ratio (lower bound)",
            "Host-wide share of device interrupts that bypassed software "
            "injection: posted-interrupt events over those plus software "
            "injections. A lower bound: a posted interrupt to a running "
            "vCPU raises no host event.", "percentunit",
            [(f"sum by (instance) (rate({posted}[{RI}])) / (sum by "
              f"(instance) (rate({posted}[{RI}])) + sum by (instance) "
              f"(rate({m('vsva_kvm_irq_injected_total', SEL)}"
              f"{{{SEL}}}[{RI}])))",
              "{{instance}}")])
    b.panel("timeseries", "Posted-interrupt events per CPU",
            "Notification, nested notification and wakeup events from "
            "/proc/interrupts (Intel hosts).", "cps",
            [(rate("vsva_posted_interrupts_total", SEL, "cpu, kind"),
              "cpu {{cpu}} {{kind}}")])
    b.panel("timeseries", "Bypass producers and connections",
            "VFIO/vDPA producers connected to the VM's irqfds, and IRQ "
            "bypass pairs connected.", "short",
            [(f"sum by (vm) "
              f"({m('vsva_kvm_irq_bypass_producers', VM, 'vm')}{{{VM}}})",
              "producers {{vm}}"),
             (f"sum by (vm) "
              f"({m('vsva_irq_bypass_connected', VM, 'vm')}{{{VM}}})",
              "connected {{vm}}")])
    b.panel("timeseries", "Posted-interrupt IRTE updates",
            "IRTE updates by op (set: posting on; clear: back to remapped).",
            "cps", [(rate("vsva_kvm_pi_irte_updates_total", VM, "vm, op"),
                     "{{vm}} {{op}}")])
    return b.json(with_vm=True)


def iommu():
    b = Board("vsva-iommu", "vsva / IOMMU",
              "PASID attach/replace/detach and SVA bind latency by device, "
              "errors, iommufd HW pagetable and vIOMMU allocations and "
              "invalidations.")
    for metric, what in (("vsva_iommu_pasid_attach_seconds", "PASID attach"),
                         ("vsva_iommu_sva_bind_seconds", "SVA bind")):
        b.heatmap(f"{what} latency",
                  f"Distribution of {what} times over the selected devices.",
                  metric, DEV)
        b.panel("timeseries", f"{what} p99 by device",
                f"99th percentile of {what} time, per device.", "s",
                [(quantile(0.99, metric, DEV, "device"), "{{device}}")])
    b.panel("timeseries", "PASID detach p99 by device",
            "99th percentile of PASID detach time, per device.", "s",
            [(quantile(0.99, "vsva_iommu_pasid_detach_seconds", DEV,
                       "device"), "{{device}}")])
    b.panel("timeseries", "PASID replace p99 by device",
            "99th percentile of the time to move a device PASID to another "
            "domain (kernels with PASID replace: the series on 7.x, or "
            "fentry where iommu_replace_device_pasid exists; not 6.12).",
            "s",
            [(quantile(0.99, "vsva_iommu_pasid_replace_seconds", DEV,
                       "device"), "{{device}}")])
    b.panel("timeseries", "Errors by result",
            "PASID attaches and SVA binds per second, by result.", "ops",
            [(rate("vsva_iommu_pasid_attach_seconds_count", DEV,
                   "device, result"), "attach {{device}} {{result}}"),
             (rate("vsva_iommu_sva_bind_seconds_count", DEV,
                   "device, result"), "bind {{device}} {{result}}")])
    b.panel("timeseries", "HWPT allocations by kind",
            "iommufd HW pagetable allocations per second (paging or "
            "nested), by result.", "ops",
            [(rate("vsva_iommufd_hwpt_alloc_total", SEL, "kind, result"),
              "{{kind}} {{result}}")])
    b.panel("timeseries", "Nested invalidation p99",
            "99th percentile of a nested HWPT cache invalidation.", "s",
            [(quantile(0.99, "vsva_iommufd_hwpt_invalidate_seconds", SEL,
                       "result"), "{{result}}")])
    b.panel("timeseries", "Invalidation entries per call",
            "Entries the driver handled per invalidation call.", "short",
            [(rate("vsva_iommufd_hwpt_invalidate_entries_total", SEL,
                   "result") + " / " +
              rate("vsva_iommufd_hwpt_invalidate_seconds_count", SEL,
                   "result"), "{{result}}")])
    b.panel("timeseries", "vIOMMU and vDEVICE allocations",
            "iommufd vIOMMU and vDEVICE objects allocated per second, by "
            "result (the series on 7.x; 6.12 has no vIOMMU objects).", "ops",
            [(rate("vsva_iommufd_viommu_alloc_total", SEL, "result"),
              "vIOMMU {{result}}"),
             (rate("vsva_iommufd_vdevice_alloc_total", SEL, "result"),
              "vDEVICE {{result}}")])
    b.panel("timeseries", "vIOMMU invalidation p99",
            "99th percentile of a vIOMMU cache invalidation "
            "(IOMMU_HWPT_INVALIDATE on a vIOMMU).", "s",
            [(quantile(0.99, "vsva_iommufd_viommu_invalidate_seconds", SEL,
                       "result"), "{{result}}")])
    b.panel("timeseries", "Invalidation entries not handled",
            "Entries user space asked for that the driver did not handle "
            "(it stops at the first bad one), per second, nested HWPTs and "
            "vIOMMUs.", "ops",
            [(rate("vsva_iommufd_hwpt_invalidate_entries_requested_total",
                   SEL, "result") + " - " +
              rate("vsva_iommufd_hwpt_invalidate_entries_total", SEL,
                   "result"), "HWPT {{result}}"),
             (rate("vsva_iommufd_viommu_invalidate_entries_requested_total",
                   SEL, "result") + " - " +
              rate("vsva_iommufd_viommu_invalidate_entries_total", SEL,
                   "result"), "vIOMMU {{result}}")])
    b.panel("timeseries", "Domain attaches and I/O page faults",
            "Devices attached to IOMMU domains and I/O page faults, per "
            "second.", "ops",
            [(rate("vsva_iommu_domain_attach_total", DEV, "device"),
              "attach {{device}}"),
             (rate("vsva_iommu_io_page_faults_total", DEV, "device"),
              "faults {{device}}")])
    return b.json(with_device=True)


def main():
    global TABLE
    ap = argparse.ArgumentParser(description="Write vsva's Grafana "
                                 "dashboards from the measurement table.")
    ap.add_argument("--table", default=os.path.join(TOP, "build",
                                                    "table.json"),
                    help="the table as JSON (default build/table.json)")
    ap.add_argument("--out", default=os.path.join(TOP, "dashboards"),
                    help="where to write them (default dashboards/)")
    a = ap.parse_args()
    TABLE = Table(a.table)
    out = a.out
    for name, board in (("vsva-overview", overview()),
                        ("vsva-kvm-memslots", memslots()),
                        ("vsva-interrupts", interrupts()),
                        ("vsva-iommu", iommu())):
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(board, f, indent=2, sort_keys=False)
            f.write("\n")


if __name__ == "__main__":
    main()
