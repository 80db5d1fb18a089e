#!/usr/bin/env bash
# Regenerates Sources/Tokenization/sentencepiece_model.pb.swift (committed; the build never runs
# the plugin). The schema is taken from the descriptor that the `sentencepiece` Python package
# (0.2.x) embeds, so our model files follow the exact schema the reference reader uses.
# Needs: pip sentencepiece protobuf, apt protobuf-compiler, and protoc-gen-swift built from
# swift-protobuf at the version Package.swift resolves (pass its path as $1).
set -euo pipefail
plugin=${1:?usage: $0 /path/to/protoc-gen-swift}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
python3 - "$tmp/sentencepiece.desc" <<'PY'
import sys
import sentencepiece.sentencepiece_model_pb2 as m
from google.protobuf import descriptor_pb2
fds = descriptor_pb2.FileDescriptorSet()
m.DESCRIPTOR.CopyToProto(fds.file.add())
open(sys.argv[1], "wb").write(fds.SerializeToString())
PY
protoc --plugin=protoc-gen-swift="$plugin" --descriptor_set_in="$tmp/sentencepiece.desc" \
  --swift_opt=Visibility=Public --swift_out="$tmp" sentencepiece_model.proto
mv "$tmp/sentencepiece_model.pb.swift" "$here/Sources/Tokenization/sentencepiece_model.pb.swift"
rm -rf "$tmp"
echo "wrote Sources/Tokenization/sentencepiece_model.pb.swift"
