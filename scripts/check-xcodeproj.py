#!/usr/bin/env python3
"""Structural check of the iOS sample's Xcode project (no Xcode here), run by scripts/test-swift.sh.

  check-xcodeproj.py [PROJECT.xcodeproj]      (default: ios-sample/MynaKitSample.xcodeproj)

The project file is read with an independent parser, the PyPI package `pbxproj` (its
openstep_parser for the raw tree, its XcodeProject model for cross-checks), which
scripts/test-swift.sh installs, pinned, into a venv under $MYNAKIT_TOOLS; run this with that
venv's python. Asserted:
  - project.pbxproj parses (OpenStep plist, objectVersion 60); every object ID referenced
    anywhere exists, and every object except the root is referenced;
  - every .swift file of MynaKitSample/ is in the app target's Sources phase exactly once;
    every file reference resolves on disk through its group chain;
  - the local package reference resolves to bindings/swift/Package.swift and the target
    depends on the product MynaKit only (no MynaKitTestkit);
  - the Debug and Release settings of the target (Info.plist, entitlements, bundle id, iOS
    15.0, Swift 6.0, complete strict concurrency, ...);
  - Info.plist and the entitlements hold the NFC keys CoreNFC needs;
  - the shared scheme builds and launches the app target; the workspace refers to itself.
Then negative controls on a copy in a temporary directory: SampleApp.swift dropped from the
Sources phase, the package's relativePath pointing at a wrong directory, a dangling ID; each
must make the validation fail (so the check cannot pass vacuously).

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
TARGET = "MynaKitSample"
PRODUCT = "MynaKit"
AIDS = ["D392F000260100000001", "D3921000310001010408", "D3921000310001010402"]
ID_RE = re.compile(r"^[0-9A-F]{24}$")

# Keys whose value is one object ID, and keys whose value is a list of object IDs.
REF_KEYS = {"buildConfigurationList", "mainGroup", "productRefGroup", "fileRef", "productRef",
            "package", "productReference", "target", "targetProxy"}
REF_LIST_KEYS = {"children", "files", "buildPhases", "buildConfigurations", "targets",
                 "packageReferences", "packageProductDependencies", "dependencies"}

# Settings both target configurations must set themselves.
TARGET_SETTINGS = {
    "INFOPLIST_FILE": "MynaKitSample/Info.plist",
    "CODE_SIGN_ENTITLEMENTS": "MynaKitSample/MynaKitSample.entitlements",
    "PRODUCT_BUNDLE_IDENTIFIER": "jp.mynakit.MynaKitSample",
    "IPHONEOS_DEPLOYMENT_TARGET": "15.0",
    "SDKROOT": "iphoneos",
    "SWIFT_VERSION": "6.0",
    "SWIFT_STRICT_CONCURRENCY": "complete",
    "TARGETED_DEVICE_FAMILY": "1",
    "CODE_SIGN_STYLE": "Automatic",
    "DEVELOPMENT_TEAM": "",
    "GENERATE_INFOPLIST_FILE": "YES",
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

    # --- target, phases ------------------------------------------------------------------
    targets = [objs[t] | {"_id": t} for t in root.get("targets", [])]
    apps = [t for t in targets if t.get("isa") == "PBXNativeTarget" and t.get("name") == TARGET
            and t.get("productType") == "com.apple.product-type.application"]
    model_target = model.get_target_by_name(TARGET)
    if not c.need(f"one application target {TARGET} (PBXNativeTarget), the same one pbxproj finds",
                  len(targets) == 1 and len(apps) == 1 and model_target is not None
                  and model_target.get_id() == apps[0]["_id"],
                  f"targets: {[(t.get('isa'), t.get('name'), t.get('productType')) for t in targets]}"):
        return c
    target = apps[0]
    target_id = target["_id"]
    phases = collections.defaultdict(list)
    for p in target.get("buildPhases", []):
        phases[objs[p]["isa"]].append(objs[p])
    c.need("the target has one Sources, one Frameworks and one Resources phase",
           [len(phases[k]) for k in ("PBXSourcesBuildPhase", "PBXFrameworksBuildPhase",
                                     "PBXResourcesBuildPhase")] == [1, 1, 1]
           and len(target.get("buildPhases", [])) == 3,
           f"phases: {sorted((k, len(v)) for k, v in phases.items())}")

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

    product = objs.get(target.get("productReference", ""), {})
    c.need("the product is MynaKitSample.app in BUILT_PRODUCTS_DIR, in the Products group",
           product.get("path") == "MynaKitSample.app" and product.get("sourceTree") == "BUILT_PRODUCTS_DIR"
           and product.get("explicitFileType") == "wrapper.application"
           and target.get("productReference") in objs[root["productRefGroup"]].get("children", []),
           f"product: {product}")
    missing = []
    for oid, o in objs.items():
        if o.get("isa") not in ("PBXFileReference", "PBXGroup"):
            continue
        if oid != main_group and oid not in parents:
            missing.append(f"{oid} {o.get('path') or o.get('name')}: in no group")
            continue
        if oid == target.get("productReference"):
            continue
        p = resolve(oid)
        if p is None or not p.exists():
            missing.append(f"{oid} {o.get('path') or o.get('name')} -> {p}")
    c.need("every file reference and group resolves on disk through its group chain (one parent each)",
           not missing and not multi, f"unresolved: {missing} several parents: {multi}")

    sample_dir = src_root / "MynaKitSample"
    on_disk = sorted(p.resolve() for p in sample_dir.rglob("*.swift"))
    sources = phases["PBXSourcesBuildPhase"][0] if phases["PBXSourcesBuildPhase"] else {"files": []}
    in_sources = collections.Counter()
    bad_sources = []
    for bf in sources.get("files", []):
        ref = objs[bf].get("fileRef")
        p = resolve(ref) if ref in objs else None
        if p is None or not p.is_file() or p.suffix != ".swift":
            bad_sources.append(f"{bf} -> {ref} -> {p}")
        else:
            in_sources[p.resolve()] += 1
    counts = {p.name: in_sources[p] for p in on_disk}
    c.need(f"each .swift file of MynaKitSample/ is in the Sources phase exactly once: {counts}",
           on_disk and all(n == 1 for n in counts.values()) and set(in_sources) == set(on_disk)
           and not bad_sources, f"not a .swift file of MynaKitSample/ on disk: {bad_sources}; "
                                f"in Sources: {sorted(p.name for p in in_sources)}")
    in_phases = set()
    for kind in ("PBXSourcesBuildPhase", "PBXResourcesBuildPhase"):
        for ph in phases[kind]:
            for bf in ph.get("files", []):
                ref = objs[bf].get("fileRef")
                p = resolve(ref) if ref in objs else None
                if p is not None:
                    in_phases.add(p.name)
    c.need("Info.plist and the entitlements are in no build phase",
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
    deps = [objs[d] | {"_id": d} for d in target.get("packageProductDependencies", [])]
    names = [d.get("productName") for d in deps]
    manifest_text = want_manifest.read_text(encoding="utf-8") if want_manifest.is_file() else ""
    c.need(f"the target depends on the package product {PRODUCT} only: {names}",
           names == [PRODUCT] and all(d.get("isa") == "XCSwiftPackageProductDependency" for d in deps)
           and all(d.get("package") in (None, *(p["_id"] for p in local)) for d in deps)
           and "Testkit" not in text
           and re.search(r'\.library\(name: "MynaKit", targets:', manifest_text),
           "a MynaKitTestkit or other product, a foreign package, or MynaKit missing from Package.swift")
    fw = phases["PBXFrameworksBuildPhase"][0] if phases["PBXFrameworksBuildPhase"] else {"files": []}
    fw_refs = [objs[bf].get("productRef") for bf in fw.get("files", [])]
    c.need(f"the Frameworks phase links the {PRODUCT} product (productRef) and nothing else",
           fw_refs == [d["_id"] for d in deps] and len(fw_refs) == 1, f"productRefs: {fw_refs}")

    # --- build settings ------------------------------------------------------------------
    def configs(list_id):
        return {objs[b].get("name"): objs[b].get("buildSettings", {})
                for b in objs[list_id].get("buildConfigurations", [])}
    proj_cfg = configs(root["buildConfigurationList"])
    tgt_cfg = configs(target["buildConfigurationList"])
    c.need("Debug and Release configurations at project and target level",
           sorted(proj_cfg) == ["Debug", "Release"] and sorted(tgt_cfg) == ["Debug", "Release"]
           and objs[target["buildConfigurationList"]].get("defaultConfigurationName") in tgt_cfg,
           f"project: {sorted(proj_cfg)} target: {sorted(tgt_cfg)}")
    for name in ("Debug", "Release"):
        tset = tgt_cfg.get(name, {})
        effective = proj_cfg.get(name, {}) | tset
        wrong = {k: tset.get(k) for k, v in TARGET_SETTINGS.items() if tset.get(k) != v}
        for k, v in CONFIG_SETTINGS[name].items():
            have = effective.get(k)
            if (have if k != "SWIFT_ACTIVE_COMPILATION_CONDITIONS" else
                    ("DEBUG" if "DEBUG" in str(have).split() else have)) != v:
                wrong[k] = have
        proj_target = proj_cfg.get(name, {}).get("IPHONEOS_DEPLOYMENT_TARGET", "15.0")
        if proj_target != "15.0":
            wrong["project IPHONEOS_DEPLOYMENT_TARGET"] = proj_target
        for k in ("INFOPLIST_FILE", "CODE_SIGN_ENTITLEMENTS"):
            if not (src_root / str(tset.get(k, "\0"))).is_file():
                wrong[f"{k} (file)"] = "missing"
        c.need(f"target {name}: Swift {tset.get('SWIFT_VERSION')}, strict concurrency "
               f"{tset.get('SWIFT_STRICT_CONCURRENCY')}, iOS {tset.get('IPHONEOS_DEPLOYMENT_TARGET')}, "
               f"{len(TARGET_SETTINGS) + len(CONFIG_SETTINGS[name])} settings as required, "
               "Info.plist and entitlements present", not wrong, f"wrong or missing: {wrong}")

    # --- Info.plist, entitlements --------------------------------------------------------
    try:
        info = plistlib.loads((src_root / TARGET / "Info.plist").read_bytes())
        ent = plistlib.loads((src_root / TARGET / "MynaKitSample.entitlements").read_bytes())
    except Exception as e:  # noqa: BLE001
        c.need("Info.plist and the entitlements parse (plistlib)", False, repr(e))
        return c
    sel = info.get("com.apple.developer.nfc.readersession.iso7816.select-identifiers", [])
    c.need("Info.plist: NFCReaderUsageDescription and the select identifiers of JPKI-AP, "
           "券面事項入力補助AP, 券面AP",
           bool(info.get("NFCReaderUsageDescription")) and all(a in sel for a in AIDS),
           f"select-identifiers: {sel}")
    partial = not {"CFBundleExecutable", "CFBundleIdentifier"} <= set(info)
    c.need("Info.plist is partial (no CFBundleExecutable/CFBundleIdentifier), so "
           "GENERATE_INFOPLIST_FILE = YES merges it into the generated one",
           partial and all(tgt_cfg.get(n, {}).get("GENERATE_INFOPLIST_FILE") == "YES" for n in tgt_cfg),
           f"keys: {sorted(info)}")
    c.need("entitlements: com.apple.developer.nfc.readersession.formats contains TAG",
           "TAG" in ent.get("com.apple.developer.nfc.readersession.formats", []), f"entitlements: {ent}")

    # --- scheme, workspace ---------------------------------------------------------------
    scheme_path = project_dir / "xcshareddata" / "xcschemes" / f"{TARGET}.xcscheme"
    container = f"container:{project_dir.name}"
    try:
        scheme = ET.parse(scheme_path).getroot()
        refs = scheme.findall(".//BuildableReference")
        launch = scheme.findall("./LaunchAction/BuildableProductRunnable/BuildableReference")
        entries = scheme.findall("./BuildAction/BuildActionEntries/BuildActionEntry")
        ok = (scheme.tag == "Scheme" and refs and launch and entries
              and all(r.get("BlueprintIdentifier") == target_id and r.get("ReferencedContainer") == container
                      and r.get("BuildableName") == product.get("path") and r.get("BlueprintName") == TARGET
                      for r in refs)
              and any(e.get("buildForRunning") == "YES" for e in entries))
        detail = [(r.get("BlueprintIdentifier"), r.get("ReferencedContainer")) for r in refs]
    except Exception as e:  # noqa: BLE001
        ok, detail = False, repr(e)
    c.need(f"shared scheme builds and launches target {target_id} in {container}", ok, f"references: {detail}")
    try:
        ws = ET.parse(project_dir / "project.xcworkspace" / "contents.xcworkspacedata").getroot()
        ok = ws.tag == "Workspace" and [f.get("location") for f in ws.findall("FileRef")] == ["self:"]
    except Exception:  # noqa: BLE001
        ok = False
    c.need("project.xcworkspace refers to the project itself (self:)", ok)
    return c


# --- negative controls ---------------------------------------------------------------------

def drop_sample_app(text, objs):
    """Remove SampleApp.swift's build file from the Sources phase's files list."""
    ref = next(k for k, o in objs.items() if o.get("isa") == "PBXFileReference" and o.get("path") == "SampleApp.swift")
    bf = next(k for k, o in objs.items() if o.get("isa") == "PBXBuildFile" and o.get("fileRef") == ref)
    return re.sub(rf"^\s*{bf}(?: /\*[^*]*\*/)?,\n", "", text, count=1, flags=re.M)


def wrong_relative_path(text, objs):
    return re.sub(r"relativePath = [^;]+;", "relativePath = ../bindings/kotlin;", text, count=1)


def dangling_id(text, objs):
    return re.sub(r"productRefGroup = [0-9A-F]{24}", "productRefGroup = DEADBEEFDEADBEEFDEADBEEF", text, count=1)


CONTROLS = [
    ("SampleApp.swift's build file dropped from the Sources phase", drop_sample_app,
     "each .swift file of MynaKitSample/"),
    ("the package's relativePath pointed at ../bindings/kotlin", wrong_relative_path,
     "one local package reference"),
    ("productRefGroup pointed at a dangling ID", dangling_id,
     "every referenced object ID exists"),
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
            mutated = mutate(text, objs)
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
