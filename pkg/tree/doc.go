// Package tree holds a generated file tree and puts it into an output
// directory that people commit to git, without clobbering what they own.
//
// A Tree maps clean, slash-separated relative paths to file contents. Write
// puts a Tree into a directory and records the generated paths in an index
// file (IndexFile) beside them, so that the next Write knows which files it
// owns: it updates those, deletes the ones that are no longer generated, and
// refuses to overwrite anything else unless forced. A partial write covers
// part of what the directory holds and keeps the rest. Diff compares a Tree
// with a directory in the same terms, which is what a "is the committed
// output up to date" check in CI needs. LockDir keeps two runs out of one
// directory.
//
// Write is all-or-nothing up to the point where it starts renaming files into
// place; see Write for what happens if it is stopped after that.
//
// What the package leaves to others: it does not know what the files contain
// (rendering and formatting are the caller's job) or what the index's meta
// entries mean, and it does not talk to git. Write does not take the lock
// itself: a caller holds LockDir around all it reads from and writes to the
// directory.
package tree
