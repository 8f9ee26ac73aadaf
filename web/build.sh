#!/usr/bin/env bash
# web/build.sh: unroll for the browser, the same C program built for
# WebAssembly with Debian's emscripten, into build-web/ (index.html,
# unroll.js, unroll.wasm, unroll.data): a static folder any web server serves.
#
# The libraries unroll links are built once from Debian 12's *source*
# packages (apt-get source, through a private deb-src list: the system's apt
# configuration is not touched) into a cache keyed by their versions:
#   $UNROLL_WEB_CACHE (default ~/.cache/unroll-web)/<key>/prefix
# A cold build takes about 15 minutes on 2 cores; later builds only compile
# unroll (about a minute). zlib, libzip and HDF5 (for Keras' own files) have
# a second cache, $BASE/keras-<key>/prefix: about 14 more minutes cold.
#   bash web/build.sh            # build
#   UNROLL_WEB_JOBS=1 bash web/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${UNROLL_WEB_JOBS:-2}

# --- tools from Debian ------------------------------------------------------
PACKAGES=(emscripten cmake make gcc libc6-dev dpkg-dev xz-utils pkg-config meson ninja-build fonts-dejavu-core ca-certificates)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
  echo "web/build.sh: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# the machine's node may not be Debian's: emcc's JavaScript needs Debian's modules
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

# --- sources ------------------------------------------------------------------
SRCPKGS=(libsdl2 libsdl2-ttf libsdl2-image freetype openblas cjson libyaml md4c libunistring)
BASE=${UNROLL_WEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/unroll-web}
APTDIR=$BASE/apt
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" \
  > "$APTDIR/sources.list"
APT=(apt-get -qq -o "Dir::Etc::SourceList=$APTDIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o APT::Sandbox::User=root)
if ! ls "$APTDIR/lists/"*Sources* > /dev/null 2>&1; then
  echo "web/build.sh: reading Debian's source index" >&2
  "${APT[@]}" update
fi
source_versions() { # package... -> "package=version ..." of bookworm's source packages
  local p v out=""
  for p in "$@"; do
    v=$(apt-cache "${APT[@]:1}" showsrc "$p" 2>/dev/null | awk '/^Version:/ && !v {v = $2} END {print v}')
    [ -n "$v" ] || { echo "web/build.sh: no source package $p in bookworm" >&2; exit 2; }
    out+="$p=$v "
  done
  echo "$out"
}
cache_key() { # versions recipe -> a cache folder's name: they, emcc's version and the recipe
  printf '%s %s recipe %s' "$1" "$(emcc --version | head -1)" "$2" | sha256sum | cut -c1-16
}
versions=$(source_versions "${SRCPKGS[@]}")
RECIPE=1 # raise when the way a library is built below changes
KEY=$(cache_key "$versions" "$RECIPE")
CACHE=$BASE/$KEY
PREFIX=$CACHE/prefix
SRC=$CACHE/src
mkdir -p "$SRC" "$PREFIX"
echo "web/build.sh: libraries ($versions) in $CACHE" >&2

fetch() { # package -> unpacked folder (echo its path)
  local p=$1 dir
  dir=$(ls -d "$SRC/$p"-[0-9]*/ 2>/dev/null | head -1 || true)
  if [ -z "$dir" ]; then
    (cd "$SRC" && "${APT[@]}" source --download-only "$p" >/dev/null 2>&1 || true
     dsc=$(ls "$p"_*.dsc | head -1)
     # md4c's Debian tarball is missing from some mirrors: its orig tarball is enough
     if ! dpkg-source --no-check -x "$dsc" >/dev/null 2>&1; then
       orig=$(ls "$p"_*.orig.tar.* | head -1)
       mkdir -p "$p-orig" && tar xf "$orig" -C "$p-orig" --strip-components=1
       mv "$p-orig" "$p-$(echo "$dsc" | sed 's/.*_\(.*\)\.dsc/\1/')"
     fi)
    dir=$(ls -d "$SRC/$p"-[0-9]*/ | head -1)
  fi
  echo "${dir%/}"
}

built() { [ -f "$PREFIX/.built-$1" ]; }
mark() { touch "$PREFIX/.built-$1"; }

cmake_lib() { # name srcdir options...
  local name=$1 src=$2; shift 2
  built "$name" && return 0
  echo "web/build.sh: building $name for wasm" >&2
  rm -rf "$CACHE/b/$name" && mkdir -p "$CACHE/b/$name"
  (cd "$CACHE/b/$name" &&
   emcmake cmake "$src" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" \
     -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_FIND_ROOT_PATH="$PREFIX" -DBUILD_SHARED_LIBS=OFF "$@" > cmake.log 2>&1 &&
   emmake make -j"$JOBS" install > make.log 2>&1) ||
    { echo "web/build.sh: $name failed; see $CACHE/b/$name/*.log, which end:" >&2
      tail -n 20 "$CACHE/b/$name"/*.log >&2; exit 1; }
  mark "$name"
}

# FreeType: no zlib, bzip2, png, harfbuzz or brotli (the fonts are plain TrueType)
cmake_lib freetype "$(fetch freetype)" -DFT_DISABLE_ZLIB=ON -DFT_DISABLE_BZIP2=ON -DFT_DISABLE_PNG=ON \
  -DFT_DISABLE_HARFBUZZ=ON -DFT_DISABLE_BROTLI=ON
# SDL2: static, no threads (the page runs one thread; see README)
cmake_lib sdl2 "$(fetch libsdl2)" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF -DSDL_THREADS=OFF -DSDL_PTHREADS=OFF
# (emscripten's own sdl2-config.cmake would pull in its SDL port: name ours)
cmake_lib sdl2_ttf "$(fetch libsdl2-ttf)" -DSDL2_DIR="$PREFIX/lib/cmake/SDL2" -DSDL2TTF_SAMPLES=OFF -DSDL2TTF_HARFBUZZ=OFF -DSDL2TTF_VENDORED=OFF \
  -DSDL2TTF_INSTALL=ON -DFREETYPE_LIBRARY="$PREFIX/lib/libfreetype.a" -DFREETYPE_INCLUDE_DIRS="$PREFIX/include/freetype2"
# SDL2_image: PNG through stb and its bundled miniz (IMG_SavePNG without libpng)
cmake_lib sdl2_image "$(fetch libsdl2-image)" -DSDL2_DIR="$PREFIX/lib/cmake/SDL2" -DSDL2IMAGE_SAMPLES=OFF -DSDL2IMAGE_VENDORED=OFF -DSDL2IMAGE_BACKEND_STB=ON \
  -DSDL2IMAGE_PNG=ON -DSDL2IMAGE_PNG_SAVE=ON -DSDL2IMAGE_JPG=ON -DSDL2IMAGE_AVIF=OFF -DSDL2IMAGE_JXL=OFF \
  -DSDL2IMAGE_TIF=OFF -DSDL2IMAGE_WEBP=OFF -DSDL2IMAGE_DEPS_SHARED=OFF -DSDL2IMAGE_INSTALL=ON
cmake_lib cjson "$(fetch cjson)" -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF -DBUILD_SHARED_AND_STATIC_LIBS=OFF \
  -DENABLE_CUSTOM_COMPILER_FLAGS=OFF
cmake_lib libyaml "$(fetch libyaml)" -DBUILD_TESTING=OFF -DINSTALL_CMAKE_DIR=lib/cmake/yaml
cmake_lib md4c "$(fetch md4c)" -DBUILD_MD2HTML_EXECUTABLE=OFF
# libyaml's CMake build installs no pkg-config file; meson looks for one
if [ ! -f "$PREFIX/lib/pkgconfig/yaml-0.1.pc" ]; then
  printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: LibYAML\nDescription: Library to parse and emit YAML\nVersion: 0.2.5\nCflags: -I${includedir}\nLibs: -L${libdir} -lyaml\n' \
    "$PREFIX" > "$PREFIX/lib/pkgconfig/yaml-0.1.pc"
fi
# SDL2_ttf's and SDL2_image's CMake builds for emscripten install no
# pkg-config files either
pc_file() { # name version requires libs
  [ -f "$PREFIX/lib/pkgconfig/$1.pc" ] && return 0
  printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: %s\nDescription: %s for unroll in the browser\nVersion: %s\nRequires: %s\nCflags: -I${includedir}/SDL2\nLibs: -L${libdir} %s\n' \
    "$PREFIX" "$1" "$1" "$2" "$3" "$4" > "$PREFIX/lib/pkgconfig/$1.pc"
}
pc_file SDL2_ttf 2.20.1 "sdl2 freetype2" -lSDL2_ttf
pc_file SDL2_image 2.6.3 sdl2 -lSDL2_image
# libunistring (Python's str.lower for Keras' Tokenizer): autotools
if ! built unistring; then
  us=$(fetch libunistring)
  echo "web/build.sh: building libunistring for wasm" >&2
  rm -rf "$CACHE/b/unistring" && mkdir -p "$CACHE/b/unistring"
  (cd "$CACHE/b/unistring" &&
   emconfigure "$us/configure" --prefix="$PREFIX" --disable-shared --enable-static --host=wasm32-unknown-emscripten \
     > configure.log 2>&1 &&
   # unpacked sources look older than their generated files: never re-run autotools
   emmake make -j"$JOBS" install ACLOCAL=true AUTOMAKE=true AUTOCONF=true AUTOHEADER=true MAKEINFO=true \
     > make.log 2>&1) ||
    { echo "web/build.sh: libunistring failed; see $CACHE/b/unistring/*.log" >&2; exit 1; }
  mark unistring
fi

# OpenBLAS: its plain C kernels (RISCV64_GENERIC), one thread, single and
# double precision (sgemm; dgemv for Keras' orthogonal initializer), no Fortran or LAPACK. Two edits that upstream made in 0.3.22:
# ctest.c learns emscripten, common.h includes sched.h there.
if ! built openblas; then
  ob=$(fetch openblas)
  echo "web/build.sh: building openblas for wasm" >&2
  grep -q '__EMSCRIPTEN__' "$ob/ctest.c" ||
    sed -i 's/^#if defined(__riscv)$/#if defined(__riscv) || defined(__EMSCRIPTEN__)/' "$ob/ctest.c"
  grep -q '__EMSCRIPTEN__' "$ob/common.h" ||
    sed -i '0,/^#include <time.h>$/s//#include <time.h>\n#if defined(__EMSCRIPTEN__)\n#include <sched.h>\n#endif/' "$ob/common.h"
  OB=(CC=emcc HOSTCC=gcc TARGET=RISCV64_GENERIC NOFORTRAN=1 NO_LAPACK=1 NO_LAPACKE=1 USE_THREAD=0
      BUILD_SINGLE=1 BUILD_DOUBLE=1 NO_SHARED=1 ONLY_CBLAS=1)
  (cd "$ob" && make -j"$JOBS" "${OB[@]}" libs > "$CACHE/openblas-make.log" 2>&1 &&
   make "${OB[@]}" PREFIX="$PREFIX" install > "$CACHE/openblas-install.log" 2>&1) ||
    { echo "web/build.sh: openblas failed; see $CACHE/openblas-*.log, which end:" >&2
      tail -n 20 "$CACHE"/openblas-*.log >&2; exit 1; }
  mark openblas
fi

# --- Keras files: zlib, libzip, HDF5 -------------------------------------------
# src/io/keras_io.c, the same as native: a .keras is a zip (libzip, with zlib
# for deflate) whose weights are HDF5, as is a legacy .h5. They live in a second
# cache keyed by their own versions and recipe, so the libraries above stay
# built: $BASE/keras-<key>/prefix
KSRCPKGS=(zlib libzip hdf5)
kversions=$(source_versions "${KSRCPKGS[@]}")
KRECIPE=2 # raise when the way a library is built below changes
KKEY=$(cache_key "$kversions" "$KRECIPE")
KCACHE=$BASE/keras-$KKEY
KPREFIX=$KCACHE/prefix
mkdir -p "$KCACHE/src" "$KPREFIX"
# the helpers above (fetch, built, mark, cmake_lib) read CACHE, PREFIX and SRC:
# a subshell points them at the second cache
(
  CACHE=$KCACHE PREFIX=$KPREFIX SRC=$KCACHE/src
  echo "web/build.sh: Keras libraries ($kversions) in $CACHE" >&2
  # zlib: its own configure, static only, every symbol prefixed z_ (zconf.h
  # says so to libzip and HDF5): FreeType above keeps its own inflate under
  # zlib's names, and the page links both. The one name both have even so,
  # zlib's internal table z_errmsg, is renamed too.
  if ! built zlib; then
    zs=$(fetch zlib)
    echo "web/build.sh: building zlib for wasm" >&2
    rm -rf "$CACHE/b/zlib" && mkdir -p "$CACHE/b" && cp -r "$zs" "$CACHE/b/zlib"
    (cd "$CACHE/b/zlib" &&
     CFLAGS="-O3 -Dz_errmsg=z_z_errmsg" emconfigure ./configure --static --zprefix --prefix="$PREFIX" > configure.log 2>&1 &&
     emmake make -j"$JOBS" libz.a > make.log 2>&1 &&
     emmake make install > install.log 2>&1) ||
      { echo "web/build.sh: zlib failed; see $CACHE/b/zlib/*.log" >&2; exit 1; }
    mark zlib
  fi
  # CMake runs its checks' programs (try_run) and HDF5's generators with
  # node; emscripten 3.1.6's JavaScript loads its .wasm with fetch() when
  # there is one, and node 18+ has one that cannot read a file path
  EMU=(-DCMAKE_CROSSCOMPILING_EMULATOR="$(command -v node);--no-experimental-fetch")
  # libzip: deflate only (no bzip2, lzma, zstd or encryption), no tools
  cmake_lib libzip "$(fetch libzip)" -DENABLE_BZIP2=OFF -DENABLE_LZMA=OFF \
    -DENABLE_COMMONCRYPTO=OFF -DENABLE_GNUTLS=OFF -DENABLE_MBEDTLS=OFF -DENABLE_OPENSSL=OFF \
    -DENABLE_WINDOWS_CRYPTO=OFF -DBUILD_TOOLS=OFF -DBUILD_REGRESS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOC=OFF "${EMU[@]}"
  # HDF5 1.10.8: the C library only (keras_io.c calls no HL function), serial,
  # with the deflate filter as Debian's. Its build runs two of its own programs
  # (H5detect, H5make_libsettings) that write C files: emcmake runs them with
  # node (CMAKE_CROSSCOMPILING_EMULATOR) and NODERAWFS lets them write the
  # real file system.
  cmake_lib hdf5 "$(fetch hdf5)" "${EMU[@]}" -DBUILD_STATIC_LIBS=ON -DONLY_SHARED_LIBS=OFF -DBUILD_TESTING=OFF \
    -DHDF5_BUILD_TOOLS=OFF -DHDF5_BUILD_UTILS=OFF -DHDF5_BUILD_EXAMPLES=OFF -DHDF5_BUILD_HL_LIB=OFF \
    -DHDF5_BUILD_FORTRAN=OFF -DHDF5_BUILD_CPP_LIB=OFF -DHDF5_BUILD_JAVA=OFF -DHDF5_ENABLE_PARALLEL=OFF \
    -DHDF5_ENABLE_THREADSAFE=OFF -DHDF5_ENABLE_SZIP_SUPPORT=OFF -DHDF5_ENABLE_Z_LIB_SUPPORT=ON \
    -DZLIB_USE_EXTERNAL=OFF -DHDF5_NO_PACKAGES=ON -DCMAKE_EXE_LINKER_FLAGS="-sNODERAWFS=1"
  # HDF5's CMake build writes an hdf5.pc whose Libs name no library (-lhdf5
  # and zlib are only in Libs.private): write one a static link can use
  printf 'prefix=%s\nlibdir=${prefix}/lib\nincludedir=${prefix}/include\n\nName: hdf5\nDescription: HDF5 for unroll in the browser\nVersion: 1.10.8\nRequires: zlib\nCflags: -I${includedir}\nLibs: -L${libdir} -lhdf5\n' \
    "$PREFIX" > "$PREFIX/lib/pkgconfig/hdf5.pc"
  # their headers as system headers, as natively (/usr/include): zip.h's
  # clang nullability marks would fail unroll's -Wpedantic -Werror
  sed -i 's|^Cflags: -I|Cflags: -isystem |' "$PREFIX/lib/pkgconfig/"{zlib,libzip,hdf5}.pc
)

# --- unroll -------------------------------------------------------------------
export PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig:$PREFIX/share/pkgconfig
OBJ=$ROOT/build-web-obj
# Keras files too (src/io/keras_io.c): libzip and libhdf5 from the second
# cache, through their pkg-config files.
# A folder set up with other options (-Dkeras=disabled before) is set up anew.
SETUP=(--cross-file web/cross-emscripten.ini -Dtests=false -Dkeras=enabled --buildtype=release -Dwerror=true
       -Dpkg_config_path="$KPREFIX/lib/pkgconfig" -Dc_args="-I$PREFIX/include" -Dc_link_args="-L$PREFIX/lib")
if [ ! -f "$OBJ/build.ninja" ] || [ "$(cat "$OBJ/.unroll-setup" 2>/dev/null)" != "${SETUP[*]}" ]; then
  rm -rf "$OBJ"
  meson setup "$OBJ" "${SETUP[@]}" > /dev/null
  printf '%s' "${SETUP[*]}" > "$OBJ/.unroll-setup"
fi
ninja -C "$OBJ" unroll.js > /dev/null
OUT=$ROOT/build-web
mkdir -p "$OUT"
cp "$OBJ/unroll.js" "$OBJ/unroll.wasm" "$OBJ/unroll.data" "$OUT/"
# the page and the lessons beside it (downloaded a lesson at a time)
python3 web/stage.py lessons web/index.html "$OUT"
du -ch "$OUT"/unroll.* | tail -1 | sed 's/^/web\/build.sh: build-web\/ holds /' >&2
