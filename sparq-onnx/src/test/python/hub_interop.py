"""Interoperability checks between ModelHub's cache and the real huggingface_hub client.

Driven by HubInteropTest (JUnit); needs python3 with huggingface_hub and nothing from the network.
Subcommands:

  serve PORT_FILE LOG_FILE   run a fake hub on 127.0.0.1 that answers the way the Hugging Face Hub
                             does (see FakeHub); write its port to PORT_FILE once listening, append
                             one line per request to LOG_FILE, stop when stdin closes
  fill ENDPOINT CACHE        download the test repository with huggingface_hub into CACHE, as a
                             user would (snapshot_download with allow_patterns, hf_hub_download)
  read CACHE                 read CACHE (written by ModelHub) with huggingface_hub, offline

fill and read print one JSON object on stdout (a report for the Java side); a failed check exits
non-zero with the reason on stderr. The repository's contents are fixed here and printed by
`describe`, so that the Java side can check what it finds against them.
"""

import hashlib
import http.server
import json
import os
import sys
import threading
import urllib.parse

REPO = "org/tiny"


def _bytes(n, seed):
    return bytes((i * 31 + seed) % 251 for i in range(n))


def _revision(config_extra):
    files = {
        "config.json": json.dumps({"model_type": "tiny", "num_hidden_layers": 1, **config_extra}).encode(),
        "tokenizer.json": b'{"version": "1.0", "model": {"type": "BPE"}}',
        "tokenizer_config.json": b'{"eos_token": "</s>"}',
        "README.md": b"# tiny\n",
        "onnx/model.onnx": _bytes(3000, 1),
        "onnx/model.onnx_data": _bytes(20000, 2),
        "onnx/model_q4.onnx": _bytes(5000, 3),
    }
    return files


# Two commits: main, and a pull request branch refs/pr/1 whose config differs.
COMMITS = {
    "1111111111111111111111111111111111111111": _revision({}),
    "2222222222222222222222222222222222222222": _revision({"pr": 1}),
}
BRANCHES = {"main": "1111111111111111111111111111111111111111", "refs/pr/1": "2222222222222222222222222222222222222222"}
LFS = ("onnx/model.onnx", "onnx/model.onnx_data", "onnx/model_q4.onnx")


def git_blob_id(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(data):
    return ("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n"
            % (hashlib.sha256(data).hexdigest(), len(data))).encode()


def describe():
    out = {"branches": BRANCHES, "commits": {}}
    for commit, files in COMMITS.items():
        out["commits"][commit] = {p: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest(),
                                      "blob_id": git_blob_id(lfs_pointer(d) if p in LFS else d)}
                                  for p, d in files.items()}
    return out


class FakeHub(http.server.BaseHTTPRequestHandler):
    """What the Hub answers, as far as huggingface_hub relies on it (its file_download.py and
    hf_api.py say what it reads):

    - GET /api/models/{repo}/revision/{rev}: {"id", "sha", "siblings": [{"rfilename"}]}, with blobId,
      size and lfs {sha256, size, pointerSize} per sibling when ?blobs=true; rev is one
      percent-encoded segment (refs%2Fpr%2F1)
    - GET /api/models/{repo}/tree/{rev}?recursive=...: [{"type": "file", "path", "size", "oid",
      "lfs": {"oid", "size", "pointerSize"}}]
    - HEAD and GET /{repo}/resolve/{rev}/{path}: X-Repo-Commit always (also on a 404, where the
      client records .no_exist); a plain file answers 200 with a quoted ETag (its git blob id); an
      LFS file answers 302 to another host (here a /cdn/ path on the same server) with X-Linked-Etag
      (its quoted SHA-256) and X-Linked-Size, its ETag being the pointer's blob id.
    """

    log_file = None
    lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def _log(self):
        with FakeHub.lock, open(FakeHub.log_file, "a", encoding="utf-8") as f:
            f.write("%s %s auth=%s\n" % (self.command, self.path, self.headers.get("Authorization")))

    def _send(self, code, body=b"", headers=None, content_type="application/json"):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self._log()
        url = urllib.parse.urlsplit(self.path)
        raw = url.path
        query = urllib.parse.parse_qs(url.query)
        api = "/api/models/" + REPO + "/"
        if raw.startswith(api + "revision/") or raw.startswith(api + "tree/"):
            kind, rest = raw[len(api):].split("/", 1)
            rev = urllib.parse.unquote(rest)
            commit = BRANCHES.get(rev, rev)
            if commit not in COMMITS:
                return self._send(404, b'{"error": "Invalid rev id"}', {"X-Error-Code": "RevisionNotFound"})
            info = describe()["commits"][commit]
            if kind == "tree":
                return self._send(200, json.dumps([self._tree_entry(p, i) for p, i in sorted(info.items())]).encode())
            siblings = []
            for p, i in sorted(info.items()):
                s = {"rfilename": p}
                if query.get("blobs") == ["true"]:
                    s.update({"blobId": i["blob_id"], "size": i["size"]})
                    if p in LFS:
                        s["lfs"] = {"sha256": i["sha256"], "size": i["size"], "pointerSize": 130}
                siblings.append(s)
            return self._send(200, json.dumps({"id": REPO, "modelId": REPO, "sha": commit, "private": False,
                                               "siblings": siblings}).encode())
        if raw.startswith("/cdn/"):
            sha = raw[len("/cdn/"):]
            for files in COMMITS.values():
                for data in files.values():
                    if hashlib.sha256(data).hexdigest() == sha:
                        return self._ranged(data, {"ETag": '"%s"' % sha})
            return self._send(404)
        prefix = "/" + REPO + "/resolve/"
        if raw.startswith(prefix):
            rev_enc, _, path_enc = raw[len(prefix):].partition("/")
            rev = urllib.parse.unquote(rev_enc)
            commit = BRANCHES.get(rev, rev)
            if commit not in COMMITS:
                return self._send(404, b"", {"X-Error-Code": "RevisionNotFound"})
            path = urllib.parse.unquote(path_enc)
            data = COMMITS[commit].get(path)
            if data is None:
                return self._send(404, b"", {"X-Repo-Commit": commit, "X-Error-Code": "EntryNotFound"})
            if path in LFS:
                sha = hashlib.sha256(data).hexdigest()
                host = "localhost" if self.headers.get("Host", "").startswith("127.") else "127.0.0.1"
                location = "http://%s:%d/cdn/%s?X-Amz-Expires=3600" % (host, self.server.server_address[1], sha)
                return self._send(302, b"", {"X-Repo-Commit": commit, "ETag": '"%s"' % git_blob_id(lfs_pointer(data)),
                                             "X-Linked-Etag": '"%s"' % sha, "X-Linked-Size": str(len(data)),
                                             "Location": location})
            return self._ranged(data, {"X-Repo-Commit": commit, "ETag": '"%s"' % git_blob_id(data)})
        return self._send(404)

    @staticmethod
    def _tree_entry(path, info):
        e = {"type": "file", "path": path, "size": info["size"], "oid": info["blob_id"]}
        if path in LFS:
            e["lfs"] = {"oid": info["sha256"], "size": info["size"], "pointerSize": 130}
        return e

    def _ranged(self, data, headers):
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[len("bytes="):-1])
            headers = dict(headers, **{"Content-Range": "bytes %d-%d/%d" % (start, len(data) - 1, len(data))})
            return self._send(206, data[start:], headers, "application/octet-stream")
        return self._send(200, data, headers, "application/octet-stream")


def serve(port_file, log_file):
    FakeHub.log_file = log_file
    open(log_file, "w").close()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, port_file)
    sys.stdin.read()  # until the Java side closes our stdin (or dies)
    server.shutdown()


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def fill(endpoint, cache):
    """Downloads the way a user of huggingface_hub would, into CACHE."""
    os.environ["HF_ENDPOINT"] = endpoint
    os.environ["HF_HUB_CACHE"] = cache
    os.environ.pop("HF_HUB_OFFLINE", None)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_XET"] = "1"
    from huggingface_hub import hf_hub_download, snapshot_download, try_to_load_from_cache
    report = {}
    # hf download org/tiny --include "*.json" "onnx/model.onnx*"
    report["main"] = snapshot_download(REPO, allow_patterns=["*.json", "onnx/model.onnx*"], cache_dir=cache)
    # a pull request branch, one file at a time
    for f in ("config.json", "tokenizer.json", "onnx/model.onnx", "onnx/model.onnx_data"):
        report["pr"] = os.path.dirname(hf_hub_download(REPO, f, revision="refs/pr/1", cache_dir=cache))
    # a file the repository does not have: the client records it under .no_exist/<commit>/
    try:
        hf_hub_download(REPO, "generation_config.json", cache_dir=cache)
        fail("generation_config.json should not exist")
    except Exception as e:  # EntryNotFoundError
        report["missing_error"] = type(e).__name__
    if try_to_load_from_cache(REPO, "generation_config.json", cache_dir=cache) is None:
        fail("huggingface_hub did not record generation_config.json as missing")
    report["describe"] = describe()
    print(json.dumps(report))


def read(cache):
    """Reads a cache that ModelHub wrote, without any network."""
    os.environ["HF_HUB_CACHE"] = cache
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there; offline must not try
    from huggingface_hub import scan_cache_dir, snapshot_download, try_to_load_from_cache
    desc = describe()
    report = {"found": {}}
    for rev, commit in BRANCHES.items():
        for path in ("config.json", "tokenizer.json", "onnx/model.onnx", "onnx/model.onnx_data"):
            got = try_to_load_from_cache(REPO, path, revision=rev, cache_dir=cache)
            if not isinstance(got, str):
                fail("try_to_load_from_cache(%s, %s) found nothing" % (rev, path))
            with open(got, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            if digest != desc["commits"][commit][path]["sha256"]:
                fail("%s@%s: wrong content from %s" % (path, rev, got))
            report["found"]["%s@%s" % (path, rev)] = got
        for r in (rev, commit):
            snap = snapshot_download(REPO, revision=r, local_files_only=True, cache_dir=cache)
            if os.path.basename(snap) != commit:
                fail("snapshot_download(%s) gave %s" % (r, snap))
    info = scan_cache_dir(cache)
    if info.warnings:
        fail("scan_cache_dir warnings: %s" % "; ".join(str(w) for w in info.warnings))
    repos = [r for r in info.repos if r.repo_id == REPO]
    if len(repos) != 1:
        fail("scan_cache_dir found %d entries for %s" % (len(repos), REPO))
    refs = {ref: rev.commit_hash for rev in repos[0].revisions for ref in rev.refs}
    if refs != BRANCHES:
        fail("scan_cache_dir refs %s, expected %s" % (refs, BRANCHES))
    report["refs"] = refs
    report["incomplete"] = [str(f.file_path) for f in info.incomplete_files]
    report["size_on_disk"] = repos[0].size_on_disk
    print(json.dumps(report))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "serve" and len(sys.argv) == 4:
        serve(sys.argv[2], sys.argv[3])
    elif cmd == "fill" and len(sys.argv) == 4:
        fill(sys.argv[2], sys.argv[3])
    elif cmd == "read" and len(sys.argv) == 3:
        read(sys.argv[2])
    elif cmd == "describe":
        print(json.dumps(describe()))
    else:
        fail("usage: hub_interop.py serve PORT_FILE LOG_FILE | fill ENDPOINT CACHE | read CACHE | describe")
