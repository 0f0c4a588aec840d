/* libFuzzer harness: arbitrary bytes as the manifest.json of a vector directory, through the
 * two readers of one: ak_vectors_verify (refmodel/src/vectors.c: format, version, layers,
 * every file's SHA-256) and run-and-compare's (host/ak_run.c: ak_run up to opening a backend,
 * then every layer object through its layer reader, which loads the layer's .npy files and
 * checks them against the manifest's shapes, quantisation, mask and pruning spec).
 *
 * The directory (made once, in TMPDIR) holds the manifest the fuzzer writes and, for its
 * layers' "dir" fields, a symbolic link "<set>.layerNN" to each layer of every golden set of
 * vectors/golden/ (AK_FUZZ_GOLDEN names another folder of sets): the seeds in
 * tests/fuzz/corpus_manifest/ are the golden manifests with their dirs renamed so, so they
 * verify and load, and mutations of any field reach the code behind it. ak_run.c is included
 * (its layer reader is private); the backends and the driver are stubs: opening a backend
 * fails, so nothing is simulated. Any crash, sanitizer report or leak is a bug. */
#define _DEFAULT_SOURCE /* realpath, mkdtemp, symlink */
#include "../../host/ak_run.c"

#include <dirent.h>
#include <limits.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- stubs of the backends and the driver: opening fails, so the rest is never called ---- */

ak_status ak_backend_verilator_open(const ak_verilator_opts *o, ak_backend *be, char *err,
                                    size_t errlen)
{
    (void)o;
    (void)be;
    snprintf(err, errlen, "fuzz: no backend");
    return AK_EINVAL;
}
ak_status ak_backend_sc_rtl_open(const ak_sc_rtl_opts *o, ak_backend *be, char *err,
                                 size_t errlen)
{
    (void)o;
    (void)be;
    snprintf(err, errlen, "fuzz: no backend");
    return AK_EINVAL;
}
ak_status ak_backend_tlm_open(const ak_tlm_opts *o, ak_backend *be, char *err, size_t errlen)
{
    (void)o;
    (void)be;
    snprintf(err, errlen, "fuzz: no backend");
    return AK_EINVAL;
}
void ak_backend_verilator_mem_stats(const ak_backend *be, ak_mem_stats *st) { (void)be; (void)st; abort(); }
void ak_backend_sc_rtl_mem_stats(const ak_backend *be, ak_mem_stats *st) { (void)be; (void)st; abort(); }
void ak_backend_tlm_stats(const ak_backend *be, ak_tlm_stats *st) { (void)be; (void)st; abort(); }
uint64_t ak_backend_verilator_job_start(const ak_backend *be) { (void)be; abort(); }
int ak_backend_verilator_last_write(const ak_backend *be, uint64_t addr, uint64_t *c)
{
    (void)be;
    (void)addr;
    (void)c;
    abort();
}
uint64_t ak_backend_verilator_wait_end(const ak_backend *be) { (void)be; abort(); }
void ak_backend_verilator_wave_info(const ak_backend *be, ak_sim_wave_info *wi) { (void)be; (void)wi; abort(); }
int ak_backend_verilator_assert(const ak_backend *be, ak_sim_assert_info *ai) { (void)be; (void)ai; abort(); }
ak_status ak_drv_open(const ak_backend *be, const ak_drv_config *cfg, ak_drv **out, char *err,
                      size_t errlen)
{
    (void)be;
    (void)cfg;
    (void)out;
    (void)err;
    (void)errlen;
    abort();
}
void ak_drv_close(ak_drv *d) { (void)d; abort(); }
const ak_drv_info *ak_drv_get_info(const ak_drv *d) { (void)d; abort(); }
const ak_backend *ak_drv_backend(const ak_drv *d) { (void)d; abort(); }
ak_status ak_drv_run_prune(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                           int8_t *out, ak_drv_prune_out *pout, ak_drv_result *res)
{
    (void)d;
    (void)job;
    (void)prune;
    (void)out;
    (void)pout;
    (void)res;
    abort();
}
void ak_drv_prune_out_free(ak_drv_prune_out *p) { (void)p; abort(); }
ak_status ak_drv_run_ofx(ak_drv *d, const ak_attn_job *job, const ak_prune_job *prune,
                         int8_t *out, int32_t *out_fx, ak_drv_prune_out *pout, ak_drv_result *res)
{
    (void)d;
    (void)job;
    (void)prune;
    (void)out;
    (void)out_fx;
    (void)pout;
    (void)res;
    abort();
}

/* ---- the directory ---------------------------------------------------------------------- */

static char dir[PATH_MAX], man_path[PATH_MAX + 32];

static void link_sets(const char *golden)
{
    DIR *g = opendir(golden);
    if (!g) {
        fprintf(stderr, "fuzz_manifest: %s: cannot open (run from the checkout's root, or "
                        "set AK_FUZZ_GOLDEN)\n", golden);
        exit(1);
    }
    struct dirent *s;
    while ((s = readdir(g))) {
        char set[PATH_MAX];
        if (s->d_name[0] == '.' || snprintf(set, sizeof set, "%s/%s", golden, s->d_name) >= (int)sizeof set)
            continue;
        DIR *sd = opendir(set);
        struct dirent *l;
        while (sd && (l = readdir(sd))) {
            char target[PATH_MAX * 2], name[PATH_MAX * 2];
            if (strncmp(l->d_name, "layer", 5))
                continue;
            snprintf(target, sizeof target, "%s/%s", set, l->d_name);
            snprintf(name, sizeof name, "%s/%s.%s", dir, s->d_name, l->d_name);
            if (symlink(target, name)) {
                perror(name);
                exit(1);
            }
        }
        if (sd)
            closedir(sd);
    }
    closedir(g);
}

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char p[PATH_MAX * 2];
        if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *golden = getenv("AK_FUZZ_GOLDEN") ? getenv("AK_FUZZ_GOLDEN") : "vectors/golden";
    char abs[PATH_MAX];
    if (!realpath(golden, abs)) {
        perror(golden);
        exit(1);
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/ak-fuzz-manifest-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        perror(dir);
        exit(1);
    }
    atexit(remove_dir);
    link_sets(abs);
    snprintf(man_path, sizeof man_path, "%s/manifest.json", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(man_path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
        perror(man_path);
        abort();
    }
    char err[8192];
    uint32_t files;
    ak_vectors_verify(dir, &files, err, sizeof err);

    /* run-and-compare as `attnkit sim` calls it: verify, read, find the layer, size the memory,
       open the backend (which fails here) */
    ak_run_opts o = {.vectors = dir};
    ak_run_summary sum;
    ak_run(&o, NULL, NULL, &sum, err, sizeof err);

    /* every layer object through the layer reader, whether or not the files verified */
    ak_status st;
    cJSON *man = read_manifest(dir, &st, err, sizeof err);
    if (!man)
        return 0;
    const cJSON *lj;
    for (int ofx = 0; ofx < 2; ofx++) { /* without and with the debug mode's o_fx.npy */
        cJSON_ArrayForEach(lj, cJSON_GetObjectItemCaseSensitive(man, "layers")) {
            layer_data L = {0};
            if (layer_load(dir, lj, ofx, &L, err, sizeof err) == AK_OK && L.job.heads == 0)
                abort(); /* a loaded layer is a job of at least one head */
            layer_free(&L);
        }
        (void)mem_needed(cJSON_GetObjectItemCaseSensitive(man, "layers"), 0, ofx);
        (void)mem_needed(cJSON_GetObjectItemCaseSensitive(man, "layers"), 2, ofx);
    }
    cJSON_Delete(man);
    return 0;
}
