#!/usr/bin/env python3
"""Structural check of the iOS sample's Xcode project (no Xcode here), run by scripts/test-swift.sh.

  check-xcodeproj.py [PROJECT.xcodeproj]      (default: ios-sample/MynaKitSample.xcodeproj)

The project file is read with an independent parser, the PyPI package `pbxproj` (its
openstep_parser for the raw tree, its XcodeProject model for cross-checks), which
scripts/test-swift.sh installs, pinned, into a venv under $MYNAKIT_TOOLS; run this with that
venv's python. The project has two application targets: MynaKitSample (the app for an iPhone:
real cards through CoreNFC) and MynaKitSampleSimulator (iOS Simulator only: the virtual card of
the package's testkit). Asserted:
  - project.pbxproj parses (OpenStep plist, objectVersion 60); every object ID referenced
    anywhere exists, and every object except the root is referenced; every build file is in
    exactly one build phase, once;
  - every .swift file of MynaKitSample/ is in the Sources phase of both targets exactly once,
    those of Device/ only in MynaKitSample's and those of Simulator/ only in
    MynaKitSampleSimulator's (exactly once), and nothing else is compiled; every file reference
    resolves on disk through its group chain;
  - the local package reference resolves to bindings/swift/Package.swift; MynaKitSample depends
    on and links the product MynaKit only (no MynaKitTestkit: the shipped app carries no test
    material), MynaKitSampleSimulator on MynaKit and MynaKitTestkit, one product dependency per
    target and product;
  - the Debug and Release settings of both targets (Info.plist, bundle id, iOS 15.0, Swift 6.0,
    complete strict concurrency, iPhone, ...); MynaKitSample has the NFC entitlements,
    MynaKitSampleSimulator none and SUPPORTED_PLATFORMS = iphonesimulator (no device build);
  - MynaKitSample's Info.plist and entitlements hold the NFC keys CoreNFC needs and no App
    Transport Security exception; MynaKitSampleSimulator's Info.plist allows local networking
    only (NSAllowsLocalNetworking, no NSAllowsArbitraryLoads);
  - each target's shared scheme builds and launches it; the workspace refers to itself.
Then negative controls on a copy in a temporary directory (SampleApp.swift dropped from the
Sources phase, the package's relativePath pointing at a wrong directory, a dangling ID,
MynaKitTestkit added to MynaKitSample, the simulator target made buildable for devices,
Simulator/SampleCards.swift compiled into MynaKitSample); each must make the validation fail
through the assertion it targets (so the check cannot pass vacuously).

Prints one line per assertion and last `xcodeproj: N passed, N failed`; exits 1 on failure.
"""

import collections
import plistlib
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

try:
    import openstep_parser
    from pbxproj import XcodeProject
except ImportError as e:
    sys.exit(f"check-xcodeproj: {e}: run with the python of the venv scripts/test-swift.sh sets up "
             "(pip install pbxproj)")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PROJECT = REPO / "ios-sample" / "MynaKitSample.xcodeproj"
DEVICE = "MynaKitSample"
SIMULATOR = "MynaKitSampleSimulator"
TARGETS = (DEVICE, SIMULATOR)
# Folders of the sample (next to the .xcodeproj) whose .swift files each target compiles.
SOURCE_FOLDERS = {"MynaKitSample": TARGETS, "Device": (DEVICE,), "Simulator": (SIMULATOR,)}
# Package products each target depends on and links, exactly.
PRODUCTS = {DEVICE: ["MynaKit"], SIMULATOR: ["MynaKit", "MynaKitTestkit"]}
AIDS = ["D392F000260100000001", "D3921000310001010408", "D3921000310001010402"]
ID_RE = re.compile(r"^[0-9A-F]{24}$")

# Keys whose value is one object ID, and keys whose value is a list of object IDs.
REF_KEYS = {"buildConfigurationList", "mainGroup", "productRefGroup", "fileRef", "productRef",
            "package", "productReference", "target", "targetProxy"}
REF_LIST_KEYS = {"children", "files", "buildPhases", "buildConfigurations", "targets",
                 "packageReferences", "packageProductDependencies", "dependencies"}
PHASE_KINDS = ("PBXSourcesBuildPhase", "PBXFrameworksBuildPhase", "PBXResourcesBuildPhase")

# Settings both configurations of both targets must set themselves.
COMMON_SETTINGS = {
    "IPHONEOS_DEPLOYMENT_TARGET": "15.0",
    "SDKROOT": "iphoneos",
    "SWIFT_VERSION": "6.0",
    "SWIFT_STRICT_CONCURRENCY": "complete",
    "TARGETED_DEVICE_FAMILY": "1",
    "SUPPORTS_MACCATALYST": "NO",
    "CODE_SIGN_STYLE": "Automatic",
    "DEVELOPMENT_TEAM": "",
    "GENERATE_INFOPLIST_FILE": "YES",
    "PRODUCT_NAME": "$(TARGET_NAME)",
}
# ... and per target.
TARGET_SETTINGS = {
    DEVICE: COMMON_SETTINGS | {
        "INFOPLIST_FILE": "MynaKitSample/Info.plist",
        "CODE_SIGN_ENTITLEMENTS": "MynaKitSample/MynaKitSample.entitlements",
        "PRODUCT_BUNDLE_IDENTIFIER": "jp.mynakit.MynaKitSample",
    },
    SIMULATOR: COMMON_SETTINGS | {
        "INFOPLIST_FILE": "Simulator/Info.plist",
        "PRODUCT_BUNDLE_IDENTIFIER": "jp.mynakit.MynaKitSample.simulator",
    },
}
# Per configuration, as in effect for the target (project level, overridden by target level).
CONFIG_SETTINGS = {
    "Debug": {"ONLY_ACTIVE_ARCH": "YES", "SWIFT_OPTIMIZATION_LEVEL": "-Onone",
              "DEBUG_INFORMATION_FORMAT": "dwarf", "SWIFT_ACTIVE_COMPILATION_CONDITIONS": "DEBUG"},
    "Release": {"SWIFT_COMPILATION_MODE": "wholemodule", "VALIDATE_PRODUCT": "YES",
                "DEBUG_INFORMATION_FORMAT": "dwarf-with-dsym"},
}


class Checks:
    """Collects (name, ok, detail) results; `need` never raises."""

    def __init__(self):
        self.results = []

    def need(self, name, cond, detail=""):
        self.results.append((name, bool(cond), detail))
        return bool(cond)

    def failed(self):
        return [name for name, ok, _ in self.results if not ok]


def ids_in(value):
    """Every string in a parsed value that has the form of an object ID (keys included)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from ids_in(k)
            yield from ids_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from ids_in(v)
    elif isinstance(value, str) and ID_RE.match(value):
        yield value


def validate(project_dir, repo_root):
    """All assertions on PROJECT_DIR (an .xcodeproj); REPO_ROOT holds bindings/swift."""
    c = Checks()
    project_dir = Path(project_dir)
    src_root = project_dir.parent  # SRCROOT: projectDirPath is ""
    pbx = project_dir / "project.pbxproj"

    # --- parse ---------------------------------------------------------------------------
    try:
        text = pbx.read_text(encoding="utf-8")
        with open(pbx, encoding="utf-8") as f:
            tree = openstep_parser.OpenStepDecoder.ParseFromFile(f)
        objs = tree["objects"]
        root_id = tree["rootObject"]
        root = objs[root_id]
        model = XcodeProject(tree, str(pbx))
    except Exception as e:  # noqa: BLE001 — any parse failure is the finding
        c.need("project.pbxproj parses (openstep_parser, pbxproj.XcodeProject)", False, repr(e))
        return c
    c.need("project.pbxproj parses (openstep_parser, pbxproj.XcodeProject): "
           f"{len(objs)} objects, objectVersion {tree.get('objectVersion')}",
           text.startswith("// !$*UTF8*$!\n") and tree.get("objectVersion") == "60"
           and tree.get("archiveVersion") == "1" and root.get("isa") == "PBXProject",
           "needs the // !$*UTF8*$! header, archiveVersion 1, objectVersion 60, a PBXProject root")

    bad_keys = [k for k in objs if not ID_RE.match(k)]
    c.need("every object ID is 24 upper-case hex digits", not bad_keys, f"bad: {bad_keys}")

    # --- references ----------------------------------------------------------------------
    referenced = collections.Counter()
    dangling = []
    malformed = []
    for oid, o in objs.items():
        for key, value in o.items():
            if key in REF_KEYS:
                vals = [value]
            elif key in REF_LIST_KEYS:
                vals = value if isinstance(value, list) else [value]
            else:
                vals = []
            for v in vals:
                if not isinstance(v, str) or not ID_RE.match(v):
                    malformed.append(f"{oid}.{key} = {v!r}")
        # Any ID-shaped string anywhere (also e.g. TargetAttributes keys) must name an object.
        for v in ids_in(o):
            referenced[v] += 1
            if v not in objs:
                dangling.append(f"{oid} ({o.get('isa')}) -> {v}")
    if root_id not in objs:
        dangling.append(f"rootObject -> {root_id}")
    c.need("every referenced object ID exists in objects", not dangling and not malformed,
           f"dangling: {dangling} malformed: {malformed}")
    unreferenced = sorted(k for k in objs if k != root_id and referenced[k] == 0)
    c.need("every object except the root is referenced", not unreferenced,
           f"unreferenced: {[(k, objs[k].get('isa')) for k in unreferenced]}")
    if dangling or malformed:
        return c  # the rest would fail on lookups

    # Xcode keeps one PBXBuildFile per phase entry: a build file shared by two phases (or
    # listed twice in one) is not what it writes.
    in_phase = collections.defaultdict(list)
    for oid, o in objs.items():
        if o.get("isa", "").endswith("BuildPhase"):
            for bf in o.get("files", []):
                in_phase[bf].append(oid)
    build_files = [k for k, o in objs.items() if o.get("isa") == "PBXBuildFile"]
    shared = {bf: in_phase[bf] for bf in build_files if len(in_phase[bf]) != 1}
    not_build_files = sorted(bf for bf in in_phase if objs[bf].get("isa") != "PBXBuildFile")
    c.need(f"every build file ({len(build_files)}) is in exactly one build phase, once",
           not shared and not not_build_files,
           f"in several phases or none: {shared}; not PBXBuildFile: {not_build_files}")

    # --- targets, phases -----------------------------------------------------------------
    native = [objs[t] | {"_id": t} for t in root.get("targets", [])]
    apps = {t.get("name"): t for t in native if t.get("isa") == "PBXNativeTarget"
            and t.get("productType") == "com.apple.product-type.application"}
    model_ids = {n: getattr(model.get_target_by_name(n), "get_id", lambda: None)() for n in TARGETS}
    if not c.need(f"the application targets are {', '.join(TARGETS)} (PBXNativeTarget), the ones "
                  "pbxproj finds",
                  len(native) == len(TARGETS) and sorted(apps) == sorted(TARGETS)
                  and all(model_ids[n] == apps[n]["_id"] for n in TARGETS),
                  f"targets: {[(t.get('isa'), t.get('name'), t.get('productType')) for t in native]}"):
        return c
    target_ids = {n: apps[n]["_id"] for n in TARGETS}
    phases = {}
    for name in TARGETS:
        ph = collections.defaultdict(list)
        for p in apps[name].get("buildPhases", []):
            ph[objs[p]["isa"]].append(objs[p])
        phases[name] = ph
        c.need(f"target {name}: one Sources, one Frameworks and one Resources phase",
               [len(ph[k]) for k in PHASE_KINDS] == [1, 1, 1]
               and len(apps[name].get("buildPhases", [])) == 3,
               f"phases: {sorted((k, len(v)) for k, v in ph.items())}")

    def phase(name, kind):
        return phases[name][kind][0] if phases[name][kind] else {"files": []}

    # --- group chain, files on disk ------------------------------------------------------
    parents = collections.defaultdict(list)
    for oid, o in objs.items():
        for ch in o.get("children", []):
            parents[ch].append(oid)
    multi = {k: v for k, v in parents.items() if len(v) > 1}
    main_group = root["mainGroup"]

    def resolve(oid, depth=0):
        o = objs[oid]
        tree_kind = o.get("sourceTree")
        path = o.get("path", "")
        if depth > 32:
            return None
        if tree_kind == "<group>":
            if oid == main_group:
                base = src_root
            elif parents.get(oid):
                base = resolve(parents[oid][0], depth + 1)
            else:
                return None
        elif tree_kind == "SOURCE_ROOT":
            base = src_root
        elif tree_kind == "<absolute>":
            base = Path("/")
        else:
            return None  # BUILT_PRODUCTS_DIR, SDKROOT, ...: not a file of the repository
        return None if base is None else (base / path if path else base)

    products = {}
    for name in TARGETS:
        product = objs.get(apps[name].get("productReference", ""), {})
        products[name] = product
        c.need(f"target {name}: the product is {name}.app in BUILT_PRODUCTS_DIR, in the Products group",
               product.get("path") == f"{name}.app" and product.get("sourceTree") == "BUILT_PRODUCTS_DIR"
               and product.get("explicitFileType") == "wrapper.application"
               and apps[name].get("productReference") in objs[root["productRefGroup"]].get("children", []),
               f"product: {product}")
    product_refs = {apps[n].get("productReference") for n in TARGETS}
    missing = []
    for oid, o in objs.items():
        if o.get("isa") not in ("PBXFileReference", "PBXGroup"):
            continue
        if oid != main_group and oid not in parents:
            missing.append(f"{oid} {o.get('path') or o.get('name')}: in no group")
            continue
        if oid in product_refs:
            continue
        p = resolve(oid)
        if p is None or not p.exists():
            missing.append(f"{oid} {o.get('path') or o.get('name')} -> {p}")
    c.need("every file reference and group resolves on disk through its group chain (one parent each)",
           not missing and not multi, f"unresolved: {missing} several parents: {multi}")

    # --- sources per target --------------------------------------------------------------
    on_disk = {}  # resolved .swift path -> its folder
    empty = []
    for folder in SOURCE_FOLDERS:
        found = sorted(p.resolve() for p in (src_root / folder).rglob("*.swift"))
        if not found:
            empty.append(folder)
        on_disk.update((p, folder) for p in found)
    c.need(f"the sample has .swift files in each of {', '.join(f'{f}/' for f in SOURCE_FOLDERS)}",
           not empty, f"no .swift file in: {empty}")

    def rel(p):
        return f"{on_disk[p]}/{p.name}" if p in on_disk else str(p)

    for name in TARGETS:
        folders = [f for f, ts in SOURCE_FOLDERS.items() if name in ts]
        want = {p for p, f in on_disk.items() if f in folders}
        in_sources = collections.Counter()
        bad_sources = []
        for bf in phase(name, "PBXSourcesBuildPhase").get("files", []):
            ref = objs[bf].get("fileRef")
            p = resolve(ref) if ref in objs else None
            if p is None or not p.is_file() or p.suffix != ".swift":
                bad_sources.append(f"{bf} -> {ref} -> {p}")
            else:
                in_sources[p.resolve()] += 1
        counts = {rel(p): in_sources[p] for p in sorted(want)}
        extra = sorted(rel(p) for p in set(in_sources) - want)
        c.need(f"target {name}: Sources compiles each .swift file of "
               f"{', '.join(f'{f}/' for f in folders)} exactly once and nothing else: {counts}",
               want and all(n == 1 for n in counts.values()) and not extra and not bad_sources,
               f"not to be compiled by {name}: {extra}; not a .swift file on disk: {bad_sources}")
    in_phases = set()
    for name in TARGETS:
        for kind in ("PBXSourcesBuildPhase", "PBXResourcesBuildPhase"):
            for bf in phase(name, kind).get("files", []):
                ref = objs[bf].get("fileRef")
                p = resolve(ref) if ref in objs else None
                if p is not None:
                    in_phases.add(p.name)
    c.need("Info.plist files and the entitlements are in no build phase",
           not in_phases & {"Info.plist", "MynaKitSample.entitlements"}, f"in phases: {in_phases}")

    # --- package -------------------------------------------------------------------------
    pkg_refs = [objs[p] | {"_id": p} for p in root.get("packageReferences", [])]
    local = [p for p in pkg_refs if p.get("isa") == "XCLocalSwiftPackageReference"]
    model_local = model.objects.get_objects_in_section("XCLocalSwiftPackageReference")
    manifest = (src_root / local[0].get("relativePath", "\0")) / "Package.swift" if len(local) == 1 else None
    want_manifest = (Path(repo_root) / "bindings" / "swift" / "Package.swift").resolve()
    c.need(f"one local package reference, relativePath {local[0].get('relativePath') if local else None} "
           f"-> bindings/swift/Package.swift",
           len(pkg_refs) == 1 and len(local) == 1 and len(model_local) == 1
           and manifest is not None and manifest.is_file() and manifest.resolve() == want_manifest,
           f"package references: {pkg_refs}; manifest {manifest} (want {want_manifest})")
    manifest_text = want_manifest.read_text(encoding="utf-8") if want_manifest.is_file() else ""
    dep_owner = collections.defaultdict(list)
    for name in TARGETS:
        want = PRODUCTS[name]
        dep_ids = apps[name].get("packageProductDependencies", [])
        deps = [objs[d] | {"_id": d} for d in dep_ids]
        names = [d.get("productName") for d in deps]
        for d in dep_ids:
            dep_owner[d].append(name)
        undeclared = [p for p in want
                      if not re.search(rf'\.library\(name: "{p}", targets:', manifest_text)]
        fw = phase(name, "PBXFrameworksBuildPhase")
        fw_objs = [objs[bf] for bf in fw.get("files", [])]
        fw_refs = [o.get("productRef") for o in fw_objs]
        fw_names = [objs[r].get("productName") if r in objs else None for r in fw_refs]
        c.need(f"target {name}: depends on and links exactly the package products {want}: "
               f"dependencies {names}, Frameworks {fw_names}",
               sorted(names) == sorted(want) and len(set(names)) == len(names)
               and all(d.get("isa") == "XCSwiftPackageProductDependency" for d in deps)
               and all(d.get("package") in (None, *(p["_id"] for p in local)) for d in deps)
               and sorted(fw_refs, key=str) == sorted(dep_ids) and len(set(fw_refs)) == len(fw_refs)
               and all("fileRef" not in o for o in fw_objs)
               and not undeclared,
               "another product, a foreign package, a dependency not linked (or linked twice), "
               f"or a product Package.swift does not declare: {undeclared}")
    shared_deps = {d: ts for d, ts in dep_owner.items() if len(ts) > 1}
    c.need("one package product dependency per target and product (none shared between targets)",
           not shared_deps, f"shared: {shared_deps}")

    # --- build settings ------------------------------------------------------------------
    def configs(list_id):
        return {objs[b].get("name"): objs[b].get("buildSettings", {})
                for b in objs[list_id].get("buildConfigurations", [])}
    proj_cfg = configs(root["buildConfigurationList"])
    tgt_cfgs = {n: configs(apps[n]["buildConfigurationList"]) for n in TARGETS}
    c.need("Debug and Release configurations at project and target level",
           sorted(proj_cfg) == ["Debug", "Release"]
           and all(sorted(tgt_cfgs[n]) == ["Debug", "Release"]
                   and objs[apps[n]["buildConfigurationList"]].get("defaultConfigurationName") in tgt_cfgs[n]
                   for n in TARGETS),
           f"project: {sorted(proj_cfg)} targets: {[(n, sorted(tgt_cfgs[n])) for n in TARGETS]}")
    for target in TARGETS:
        want_settings = TARGET_SETTINGS[target]
        for name in ("Debug", "Release"):
            tset = tgt_cfgs[target].get(name, {})
            effective = proj_cfg.get(name, {}) | tset
            wrong = {k: tset.get(k) for k, v in want_settings.items() if tset.get(k) != v}
            for k, v in CONFIG_SETTINGS[name].items():
                have = effective.get(k)
                if (have if k != "SWIFT_ACTIVE_COMPILATION_CONDITIONS" else
                        ("DEBUG" if "DEBUG" in str(have).split() else have)) != v:
                    wrong[k] = have
            proj_target = proj_cfg.get(name, {}).get("IPHONEOS_DEPLOYMENT_TARGET", "15.0")
            if proj_target != "15.0":
                wrong["project IPHONEOS_DEPLOYMENT_TARGET"] = proj_target
            for k in ("INFOPLIST_FILE", "CODE_SIGN_ENTITLEMENTS"):
                if k in want_settings and not (src_root / str(tset.get(k, "\0"))).is_file():
                    wrong[f"{k} (file)"] = "missing"
            c.need(f"target {target} {name}: Swift {tset.get('SWIFT_VERSION')}, strict concurrency "
                   f"{tset.get('SWIFT_STRICT_CONCURRENCY')}, iOS {tset.get('IPHONEOS_DEPLOYMENT_TARGET')}, "
                   f"device family {tset.get('TARGETED_DEVICE_FAMILY')}, "
                   f"{len(want_settings) + len(CONFIG_SETTINGS[name])} settings as required, "
                   f"{' and '.join(k for k in ('INFOPLIST_FILE', 'CODE_SIGN_ENTITLEMENTS') if k in want_settings)}"
                   " present", not wrong, f"wrong or missing: {wrong}")

    def effective(target, key):
        return {n: (proj_cfg.get(n, {}) | tgt_cfgs[target].get(n, {})).get(key) for n in ("Debug", "Release")}
    platforms = effective(SIMULATOR, "SUPPORTED_PLATFORMS")
    c.need(f"target {SIMULATOR}: builds for the iOS Simulator only (SUPPORTED_PLATFORMS {platforms})",
           all(v == "iphonesimulator" for v in platforms.values()),
           "SUPPORTED_PLATFORMS must be exactly iphonesimulator in Debug and Release")
    sim_ent = effective(SIMULATOR, "CODE_SIGN_ENTITLEMENTS")
    c.need(f"target {SIMULATOR}: no entitlements (no NFC)", all(v is None for v in sim_ent.values()),
           f"CODE_SIGN_ENTITLEMENTS: {sim_ent}")
    dev_platforms = effective(DEVICE, "SUPPORTED_PLATFORMS")
    c.need(f"target {DEVICE}: builds for a device (SUPPORTED_PLATFORMS {dev_platforms})",
           all(v is None or "iphoneos" in str(v).split() for v in dev_platforms.values()),
           "SUPPORTED_PLATFORMS, when set, must include iphoneos")

    # --- Info.plist, entitlements --------------------------------------------------------
    def plist(target, key):
        rel_path = tgt_cfgs[target].get("Debug", {}).get(key) or TARGET_SETTINGS[target][key]
        return plistlib.loads((src_root / rel_path).read_bytes())
    try:
        info = plist(DEVICE, "INFOPLIST_FILE")
        ent = plist(DEVICE, "CODE_SIGN_ENTITLEMENTS")
        sim_info = plist(SIMULATOR, "INFOPLIST_FILE")
    except Exception as e:  # noqa: BLE001
        c.need("the Info.plist files and the entitlements parse (plistlib)", False, repr(e))
        return c
    sel = info.get("com.apple.developer.nfc.readersession.iso7816.select-identifiers", [])
    c.need(f"target {DEVICE}: Info.plist has NFCReaderUsageDescription and the select identifiers of "
           "JPKI-AP, 券面事項入力補助AP, 券面AP",
           bool(info.get("NFCReaderUsageDescription")) and all(a in sel for a in AIDS),
           f"select-identifiers: {sel}")
    c.need(f"target {DEVICE}: Info.plist has no NSAppTransportSecurity (App Transport Security as is)",
           "NSAppTransportSecurity" not in info, f"NSAppTransportSecurity: {info.get('NSAppTransportSecurity')}")
    ats = sim_info.get("NSAppTransportSecurity")
    c.need(f"target {SIMULATOR}: Info.plist allows local networking only "
           "(NSAppTransportSecurity.NSAllowsLocalNetworking true, no NSAllowsArbitraryLoads)",
           isinstance(ats, dict) and ats.get("NSAllowsLocalNetworking") is True
           and not any(k.startswith("NSAllowsArbitraryLoads") for k in ats),
           f"NSAppTransportSecurity: {ats}")
    for target, data in ((DEVICE, info), (SIMULATOR, sim_info)):
        partial = not {"CFBundleExecutable", "CFBundleIdentifier"} <= set(data)
        c.need(f"target {target}: Info.plist is partial (no CFBundleExecutable/CFBundleIdentifier), so "
               "GENERATE_INFOPLIST_FILE = YES merges it into the generated one",
               partial and all(s.get("GENERATE_INFOPLIST_FILE") == "YES" for s in tgt_cfgs[target].values()),
               f"keys: {sorted(data)}")
    c.need(f"target {DEVICE}: entitlements com.apple.developer.nfc.readersession.formats contains TAG",
           "TAG" in ent.get("com.apple.developer.nfc.readersession.formats", []), f"entitlements: {ent}")

    # --- schemes, workspace --------------------------------------------------------------
    container = f"container:{project_dir.name}"
    for name in TARGETS:
        target_id = target_ids[name]
        scheme_path = project_dir / "xcshareddata" / "xcschemes" / f"{name}.xcscheme"
        try:
            scheme = ET.parse(scheme_path).getroot()
            refs = scheme.findall(".//BuildableReference")
            launch = scheme.findall("./LaunchAction/BuildableProductRunnable/BuildableReference")
            entries = scheme.findall("./BuildAction/BuildActionEntries/BuildActionEntry")
            ok = (scheme.tag == "Scheme" and refs and launch and entries
                  and all(r.get("BlueprintIdentifier") == target_id and r.get("ReferencedContainer") == container
                          and r.get("BuildableName") == products[name].get("path")
                          and r.get("BlueprintName") == name
                          for r in refs)
                  and any(e.get("buildForRunning") == "YES" for e in entries))
            detail = [(r.get("BlueprintIdentifier"), r.get("BlueprintName"), r.get("ReferencedContainer"))
                      for r in refs]
        except Exception as e:  # noqa: BLE001
            ok, detail = False, repr(e)
        c.need(f"shared scheme {name} builds and launches target {target_id} in {container}", ok,
               f"references: {detail}")
    try:
        ws = ET.parse(project_dir / "project.xcworkspace" / "contents.xcworkspacedata").getroot()
        ok = ws.tag == "Workspace" and [f.get("location") for f in ws.findall("FileRef")] == ["self:"]
    except Exception:  # noqa: BLE001
        ok = False
    c.need("project.xcworkspace refers to the project itself (self:)", ok)
    return c


# --- negative controls ---------------------------------------------------------------------
# Each takes the project text and its parsed objects and returns the mutated text (unchanged
# text counts as a failed control). IDs that do not occur in the project are used for objects
# a mutation adds.

def target_id(objs, name):
    return next(k for k, o in objs.items() if o.get("isa") == "PBXNativeTarget" and o.get("name") == name)


def target_phase(objs, name, isa):
    return next(p for p in objs[target_id(objs, name)]["buildPhases"] if objs[p]["isa"] == isa)


def add_to_list(text, owner, key, entry):
    """Append ENTRY (an ID with its comment) to the list KEY of the object OWNER."""
    return re.sub(rf"(^\t\t{owner}\b[^\n]*= {{\n(?:\t\t\t[^\n]*\n)*?\t\t\t{key} = \(\n(?:\t\t\t\t[^\n]*\n)*?)(\t\t\t\);)",
                  lambda m: f"{m.group(1)}\t\t\t\t{entry},\n{m.group(2)}", text, count=1, flags=re.M)


def add_objects(text, section, lines):
    return text.replace(f"/* End {section} section */", "".join(f"\t\t{ln}\n" for ln in lines)
                        + f"/* End {section} section */", 1)


def drop_sample_app(text, objs):
    """Remove SampleApp.swift's build file from MynaKitSample's Sources phase."""
    ref = next(k for k, o in objs.items() if o.get("isa") == "PBXFileReference" and o.get("path") == "SampleApp.swift")
    sources = objs[target_phase(objs, DEVICE, "PBXSourcesBuildPhase")]["files"]
    bf = next(k for k in sources if objs[k].get("fileRef") == ref)
    return re.sub(rf"^\s*{bf}(?: /\*[^*]*\*/)?,\n", "", text, count=1, flags=re.M)


def wrong_relative_path(text, objs):
    return re.sub(r"relativePath = [^;]+;", "relativePath = ../bindings/kotlin;", text, count=1)


def dangling_id(text, objs):
    return re.sub(r"productRefGroup = [0-9A-F]{24}", "productRefGroup = DEADBEEFDEADBEEFDEADBEEF", text, count=1)


NEW_DEP, NEW_BF = "C0DE0000000000000000DE01", "C0DE0000000000000000BF01"


def testkit_dependency(objs):
    pkg = next(k for k, o in objs.items() if o.get("isa") == "XCLocalSwiftPackageReference")
    return (f"{NEW_DEP} /* MynaKitTestkit */ = {{isa = XCSwiftPackageProductDependency; "
            f"package = {pkg}; productName = MynaKitTestkit; }};")


def testkit_in_device(text, objs):
    """MynaKitTestkit added to MynaKitSample as Xcode does it: a product dependency of the target
    and a build file for it in the Frameworks phase."""
    tid = target_id(objs, DEVICE)
    text = add_objects(text, "XCSwiftPackageProductDependency", [testkit_dependency(objs)])
    text = add_objects(text, "PBXBuildFile", [
        f"{NEW_BF} /* MynaKitTestkit in Frameworks */ = {{isa = PBXBuildFile; productRef = {NEW_DEP} /* MynaKitTestkit */; }};"])
    text = add_to_list(text, tid, "packageProductDependencies", f"{NEW_DEP} /* MynaKitTestkit */")
    return add_to_list(text, target_phase(objs, DEVICE, "PBXFrameworksBuildPhase"), "files",
                       f"{NEW_BF} /* MynaKitTestkit in Frameworks */")


def testkit_dependency_in_device(text, objs):
    """MynaKitTestkit only among MynaKitSample's packageProductDependencies (no build file)."""
    text = add_objects(text, "XCSwiftPackageProductDependency", [testkit_dependency(objs)])
    return add_to_list(text, target_id(objs, DEVICE), "packageProductDependencies",
                       f"{NEW_DEP} /* MynaKitTestkit */")


def simulator_for_devices(text, objs):
    return text.replace("SUPPORTED_PLATFORMS = iphonesimulator;",
                        'SUPPORTED_PLATFORMS = "iphoneos iphonesimulator";')


def simulator_release_for_devices(text, objs):
    """Only the Release configuration of the simulator target made buildable for devices."""
    cfg_list = objs[target_id(objs, SIMULATOR)]["buildConfigurationList"]
    release = next(b for b in objs[cfg_list]["buildConfigurations"] if objs[b].get("name") == "Release")
    return re.sub(rf"(^\t\t{release}\b[^\n]*= {{\n(?:\t\t\t[^\n]*\n)*?\t\t\t\tSUPPORTED_PLATFORMS = )iphonesimulator;",
                  r'\1"iphoneos iphonesimulator";', text, count=1, flags=re.M)


def simulator_cards_in_device(text, objs):
    """Simulator/SampleCards.swift's build file (of MynaKitSampleSimulator's Sources phase)
    added to MynaKitSample's Sources phase too."""
    group = next(k for k, o in objs.items() if o.get("isa") == "PBXGroup" and o.get("path") == "Simulator")
    ref = next(k for k in objs[group]["children"] if objs[k].get("path") == "SampleCards.swift")
    bf = next(k for k in objs[target_phase(objs, SIMULATOR, "PBXSourcesBuildPhase")]["files"]
              if objs[k].get("fileRef") == ref)
    return add_to_list(text, target_phase(objs, DEVICE, "PBXSourcesBuildPhase"), "files",
                       f"{bf} /* SampleCards.swift in Sources */")


CONTROLS = [
    ("SampleApp.swift's build file dropped from MynaKitSample's Sources phase", drop_sample_app,
     f"target {DEVICE}: Sources compiles"),
    ("the package's relativePath pointed at ../bindings/kotlin", wrong_relative_path,
     "one local package reference"),
    ("productRefGroup pointed at a dangling ID", dangling_id,
     "every referenced object ID exists"),
    ("MynaKitTestkit added to MynaKitSample (product dependency and Frameworks build file)",
     testkit_in_device, f"target {DEVICE}: depends on and links exactly"),
    ("MynaKitTestkit added to MynaKitSample's packageProductDependencies only",
     testkit_dependency_in_device, f"target {DEVICE}: depends on and links exactly"),
    ("SUPPORTED_PLATFORMS of MynaKitSampleSimulator set to \"iphoneos iphonesimulator\"",
     simulator_for_devices, f"target {SIMULATOR}: builds for the iOS Simulator only"),
    ("SUPPORTED_PLATFORMS of MynaKitSampleSimulator's Release configuration set to \"iphoneos iphonesimulator\"",
     simulator_release_for_devices, f"target {SIMULATOR}: builds for the iOS Simulator only"),
    ("Simulator/SampleCards.swift's build file added to MynaKitSample's Sources phase",
     simulator_cards_in_device, f"target {DEVICE}: Sources compiles"),
]


def controls(project_dir, c):
    project_dir = Path(project_dir)
    pbx = project_dir / "project.pbxproj"
    text = pbx.read_text(encoding="utf-8")
    with open(pbx, encoding="utf-8") as f:
        objs = openstep_parser.OpenStepDecoder.ParseFromFile(f)["objects"]
    with tempfile.TemporaryDirectory(prefix="mynakit-xcodeproj.") as tmp:
        root = Path(tmp)
        sample = root / "ios-sample"
        shutil.copytree(project_dir.parent, sample,
                        ignore=shutil.ignore_patterns("xcuserdata", "build", "DerivedData"))
        pkg = root / "bindings" / "swift"
        pkg.mkdir(parents=True)
        shutil.copy2(REPO / "bindings" / "swift" / "Package.swift", pkg / "Package.swift")
        (root / "bindings" / "kotlin").mkdir()
        copy = sample / project_dir.name
        base = validate(copy, root)
        c.need("control: the unchanged copy in a temporary directory passes", not base.failed(),
               f"failed: {base.failed()}")
        for what, mutate, expected in CONTROLS:
            try:
                mutated = mutate(text, objs)
            except (StopIteration, KeyError) as e:  # the object the mutation needs is missing
                mutated, what = text, f"{what} ({e!r})"
            (copy / "project.pbxproj").write_text(mutated, encoding="utf-8")
            failed = validate(copy, root).failed() if mutated != text else []
            hit = [f for f in failed if f.startswith(expected)]
            c.need(f"control: {what} is rejected by \"{expected} ...\"",
                   mutated != text and hit,
                   "the mutation did not apply" if mutated == text else f"failed checks: {failed}")
        (copy / "project.pbxproj").write_text(text, encoding="utf-8")


def main(argv):
    project_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_PROJECT
    c = validate(project_dir, REPO)
    controls(project_dir, c)
    for name, ok, detail in c.results:
        print(f"    {'ok' if ok else 'FAILED'}: {name}" + ("" if ok or not detail else f"\n        {detail}"))
    failed = len(c.failed())
    print(f"xcodeproj: {len(c.results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
