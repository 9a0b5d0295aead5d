#!/usr/bin/env bash
# Issue 9, point 4: each regression below makes nbval (as `make test` runs it) fail, while the
# unmodified tree passes the same notebooks. Slow (it retrains models), so not part of
# `make test`. Run from the repository root:
#
#   rig/regression_demo.sh [a|b|c|d|e|f|g|h|baseline ...]     (default: all of them)
#
# Each case runs in a fresh copy of the working tree under $TMPDIR with an empty models/
# (set MODELS_FROM=DIR to start from a copy of DIR instead, e.g. models trained on this
# machine, to skip retraining what the case does not change; KEEP=1 keeps each nbval.log).
# Prints one line per case.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/regression-demo.XXXXXX")
[ -n "${KEEP:-}" ] && echo "logs kept in $WORK/<case>/nbval.log" || trap 'rm -rf "$WORK"' EXIT
status=0

copy_tree() {  # copy_tree DEST: the working tree as git sees it (tracked + untracked, not ignored)
    mkdir -p "$1"
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
        | tar --null -T - -cf -) | tar -xf - -C "$1"
    mkdir -p "$1/models"
    if [ -n "${MODELS_FROM:-}" ]; then cp -r "$MODELS_FROM"/. "$1/models/"; fi
}

nbval() {  # nbval DIR NOTEBOOK...: nbval as the Makefile runs it, in DIR
    local dir=$1; shift
    (cd "$dir" && PYTHONPATH="$dir/src${PYTHONPATH:+:$PYTHONPATH}" nice -n 10 "$PY" -m pytest \
        -p no:cacheprovider -p rig.nbval_tolerance --nbval \
        -q "$@" > "$dir/nbval.log" 2>&1)
}

expect() {  # expect pass|fail NAME DIR NOTEBOOK...
    local want=$1 name=$2 dir=$3; shift 3
    local start=$SECONDS
    nbval "$dir" "$@"
    local rc=$? got=pass
    [ $rc -eq 0 ] || got=fail
    local summary
    summary=$(grep -E '^(FAILED|[0-9]+ (passed|failed))|passed|failed' "$dir/nbval.log" | tail -1)
    local first
    first=$(grep -m1 -E '( -> |text differs|figure\)|outputs committed)' "$dir/nbval.log")
    if [ "$got" = "$want" ]; then verdict=OK; else verdict=UNEXPECTED; status=1; fi
    printf '%-10s %-8s expected %s, got %s (%ss): %s\n' "$verdict" "$name" "$want" "$got" \
        $((SECONDS - start)) "$summary"
    [ -n "$first" ] && [ "$got" = fail ] && printf '           first difference: %s\n' "$first"
    if [ "$verdict" = UNEXPECTED ]; then tail -40 "$dir/nbval.log"; fi
}

patch_file() {  # patch_file FILE OLD NEW: replace exactly one occurrence, or stop
    "$PY" - "$@" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
if text.count(old) != 1:
    sys.exit(f"regression_demo: {old!r} not found exactly once in {path}")
open(path, "w").write(text.replace(old, new))
EOF
}

cases=${*:-baseline a b c d e f g h}
for case in $cases; do
    dir="$WORK/$case"
    case $case in
    baseline)  # the unmodified tree passes the notebooks the cases below use
        copy_tree "$dir"
        expect pass baseline "$dir" notebooks/01_data.ipynb notebooks/04_model_and_training.ipynb \
            notebooks/05_evaluation.ipynb notebooks/06_better_training.ipynb \
            notebooks/07_convolutional_network.ipynb ;;
    a)  # the CNN's first convolution with a quarter of its filters (config and notebook 7)
        copy_tree "$dir"
        patch_file "$dir/src/mnist_tutorial/config.py" 'conv_filters=(16, 32),' \
            'conv_filters=(4, 32),' || exit 2
        patch_file "$dir/notebooks/07_convolutional_network.ipynb" \
            'Conv2D(16, kernel_size=3, activation=\"relu\"),  # 16 filters' \
            'Conv2D(4, kernel_size=3, activation=\"relu\"),  # 16 filters' || exit 2
        expect fail a-cnn/4 "$dir" notebooks/07_convolutional_network.ipynb ;;
    b)  # the MLP trained for 3 epochs instead of the original notebook's rule
        copy_tree "$dir"
        rm -rf "$dir/models" && mkdir "$dir/models"
        # in the library's fit (notebooks 5-7) and in the fit that notebook 4 writes out
        patch_file "$dir/src/mnist_tutorial/train.py" 'epochs=config.epochs,' 'epochs=3,' || exit 2
        patch_file "$dir/notebooks/04_model_and_training.ipynb" '"    epochs=200,\n",' \
            '"    epochs=3,\n",' || exit 2
        expect fail b-3epoch "$dir" notebooks/04_model_and_training.ipynb notebooks/05_evaluation.ipynb ;;
    c)  # a plot helper that draws the wrong images (the last ones, under the first labels)
        copy_tree "$dir"
        patch_file "$dir/src/mnist_tutorial/plots.py" 'ax.imshow(images[idx], cmap="gray_r")' \
            'ax.imshow(images[len(images) - rows * cols + idx], cmap="gray_r")' || exit 2
        expect fail c-plot "$dir" notebooks/01_data.ipynb ;;
    d)  # a committed output edited by hand (also a unit test: test_nbval_catches_stale_outputs)
        copy_tree "$dir"
        patch_file "$dir/notebooks/01_data.ipynb" '"x_train: (60000, 28, 28)' '"x_train: (60000, 28, 29)' || exit 2
        expect fail d-edited "$dir" notebooks/01_data.ipynb ;;
    e)  # the validation-stopped MLP stopped after one epoch without improvement (patience=1,
        # in the config and in the callback notebook 6 writes out)
        copy_tree "$dir"
        patch_file "$dir/src/mnist_tutorial/config.py" '            early_stopping_patience=10,' \
            '            early_stopping_patience=1,' || exit 2
        patch_file "$dir/notebooks/06_better_training.ipynb" '"    patience=10,  #' \
            '"    patience=1,  #' || exit 2
        expect fail e-patience1 "$dir" notebooks/06_better_training.ipynb ;;
    f)  # the first MLP with 32 units in its first hidden layer instead of 128
        copy_tree "$dir"
        patch_file "$dir/src/mnist_tutorial/config.py" 'hidden_units: tuple[int, ...] = (128, 64)' \
            'hidden_units: tuple[int, ...] = (32, 64)' || exit 2
        patch_file "$dir/notebooks/04_model_and_training.ipynb" 'Dense(128, activation=\"relu\"))  # hidden' \
            'Dense(32, activation=\"relu\"))  # hidden' || exit 2
        expect fail f-32units "$dir" notebooks/04_model_and_training.ipynb notebooks/05_evaluation.ipynb ;;
    g|h)  # the MLPs' learning rate ten times larger (g) or smaller (h): notebook 4 alone fails
        copy_tree "$dir"
        rate=0.01; [ "$case" = h ] && rate=0.0001
        patch_file "$dir/src/mnist_tutorial/config.py" 'learning_rate: float = 0.001' \
            "learning_rate: float = $rate" || exit 2
        patch_file "$dir/notebooks/04_model_and_training.ipynb" 'Adam(learning_rate=0.001)' \
            "Adam(learning_rate=$rate)" || exit 2
        expect fail "$case-lr$rate" "$dir" notebooks/04_model_and_training.ipynb ;;
    *) echo "unknown case $case (use a, b, c, d, e, f, g, h, baseline)"; exit 2 ;;
    esac
done
exit $status
