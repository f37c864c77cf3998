#pragma once
// Copies a directory tree between two open directories, keeping file types,
// modes, owners and times: what a tmpfs mount with "tmpcopyup" starts with
// (the image's content of the directory the tmpfs covers).

namespace chrunc::container {

// Copies everything inside the directory `from` into the directory `to`
// (which should be empty): directories, regular files, symlinks, fifos and
// device nodes, with their mode bits, owner and modification times. Hard
// links become separate copies; extended attributes are not copied. Throws
// chrunc::Error naming the entry that failed.
void copy_tree(int from, int to);

}  // namespace chrunc::container
