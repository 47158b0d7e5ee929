package cli

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rocketops/rocketops/pkg/compile"
	"github.com/rocketops/rocketops/pkg/tree"
)

// CompileCache, when set (the rocketops binary sets it to ${XDG_CACHE_HOME:-~/.cache}/rocketops/
// compiled unless ROCKETOPS_CACHE=off; tests leave it empty), is where compile and diff record, by
// content digest, what a spec compiled to: the digest of every file and the index's metadata, under
// a key made of this binary's Go build ID and everything a compile reads (the spec's name and
// bytes, the targets, the environments, --vendor-chart). The output depends on nothing else, so a
// diff whose key is recorded checks the folder's files against the recorded digests instead of
// compiling. It answers "unchanged" only when every file and the index are exactly what the record
// says; anything else (a changed, missing, extra or symlinked file, another index, a record it
// cannot read) gets the whole compile and its diff, as without the cache.
var CompileCache string

// cacheRecords bounds the records kept; the oldest go first.
const cacheRecords = 512

// cacheRecord is what a compile recorded.
type cacheRecord struct {
	Meta  map[string]string `json:"meta"`
	Files map[string]string `json:"files"` // path → sha256 of the content
}

var (
	buildIDOnce sync.Once
	buildIDHash string
)

// buildID identifies this binary by its Go build ID (the .note.go.buildid section the Go linker
// writes, a hash of everything it was built from); "" when it cannot be read, which turns the cache
// off.
func buildID() string {
	buildIDOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			return
		}
		f, err := elf.Open(exe)
		if err != nil {
			return
		}
		defer f.Close()
		s := f.Section(".note.go.buildid")
		if s == nil {
			return
		}
		data, err := s.Data()
		if err != nil || len(data) == 0 {
			return
		}
		buildIDHash = sha256Hex(data)
	})
	return buildIDHash
}

// cacheKey is the record's file name for a compile with these options, "" when there is no cache.
func cacheKey(opts compile.Options) string {
	id := buildID()
	if CompileCache == "" || id == "" {
		return ""
	}
	targets, envs := slices.Clone(opts.Targets), slices.Clone(opts.Environments)
	sort.Strings(targets)
	sort.Strings(envs)
	b, err := json.Marshal([]any{"rocketops compiled 1", id, filepath.Base(opts.File), sha256Hex(opts.Source), targets, envs, opts.VendorChart})
	if err != nil {
		return ""
	}
	return sha256Hex(b) + ".json"
}

// storeCompiled records what a whole compile (no --env) produced. Failing to record is no error.
func storeCompiled(opts compile.Options, res *compile.Output) {
	key := cacheKey(opts)
	if key == "" {
		return
	}
	rec := cacheRecord{Meta: res.Meta, Files: map[string]string{}}
	for p, b := range res.Tree {
		rec.Files[p] = sha256Hex(b)
	}
	data, err := json.Marshal(rec)
	if err != nil || os.MkdirAll(CompileCache, 0o700) != nil {
		return
	}
	f, err := os.CreateTemp(CompileCache, ".record-*")
	if err != nil {
		return
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(CompileCache, key)) != nil {
		_ = os.Remove(f.Name())
		return
	}
	pruneCache()
}

// pruneCache removes the oldest records past cacheRecords.
func pruneCache() {
	entries, err := os.ReadDir(CompileCache)
	if err != nil || len(entries) <= cacheRecords {
		return
	}
	type rec struct {
		name string
		mod  int64
	}
	var recs []rec
	for _, e := range entries {
		if info, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ".json") {
			recs = append(recs, rec{e.Name(), info.ModTime().UnixNano()})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].mod < recs[j].mod })
	for _, r := range recs[:max(0, len(recs)-cacheRecords)] {
		_ = os.Remove(filepath.Join(CompileCache, r.name))
	}
}

// unchangedByCache reports whether dir holds exactly what a whole compile with opts recorded: its
// index lists the recorded files and metadata, and each file is a regular file (under no symlinked
// folder) with the recorded digest. False means "compile and compare".
func unchangedByCache(dir string, idx tree.Index, opts compile.Options) bool {
	key := cacheKey(opts)
	if key == "" {
		return false
	}
	data, err := os.ReadFile(filepath.Join(CompileCache, key))
	if err != nil {
		return false
	}
	var rec cacheRecord
	if json.Unmarshal(data, &rec) != nil || len(rec.Files) == 0 || !maps.Equal(rec.Meta, idx.Meta) || len(idx.Files) != len(rec.Files) {
		return false
	}
	if otherCluster(idx, rec.Meta) != "" || gaps(idx, rec.Meta, "", false) != "" {
		return false
	}
	dirs := map[string]bool{}
	for _, rel := range idx.Files {
		want, ok := rec.Files[rel]
		if !ok || !plainPath(dir, rel, dirs) {
			return false
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return false
		}
		if sha256Hex(b) != want {
			return false
		}
	}
	return true
}

// plainPath reports whether rel, under dir, is a regular file whose every parent folder inside dir
// is a real folder (no symlink); known holds the folders already checked.
func plainPath(dir, rel string, known map[string]bool) bool {
	parts := strings.Split(rel, "/")
	p := dir
	for i, part := range parts {
		if part == "" || part == "." || part == ".." {
			return false
		}
		p = filepath.Join(p, part)
		last := i == len(parts)-1
		if !last && known[p] {
			continue
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return false
		}
		if last {
			return fi.Mode().IsRegular()
		}
		if !fi.IsDir() {
			return false
		}
		known[p] = true
	}
	return false
}

// DefaultCompileCache is the binary's CompileCache: ${XDG_CACHE_HOME:-~/.cache}/rocketops/compiled,
// or "" when ROCKETOPS_CACHE=off or no cache folder is known.
func DefaultCompileCache() string {
	if os.Getenv("ROCKETOPS_CACHE") == "off" {
		return ""
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "rocketops", "compiled")
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
