/* Workloads: every preset survives a trip through its JSON text; the DeiT plan's token counts
 * (worked out by hand from numerics.md 11.2) and MACs (from the block arithmetic); and schema
 * violations each give one message naming the source, the field and what was expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ak_test.h"
#include "attnkit/attnkit.h"
#include "attnkit/workload.h"

static void test_presets_round_trip(void)
{
    for (unsigned i = 0; i < ak_workload_preset_count(); i++) {
        ak_workload *a = malloc(sizeof *a), *b = malloc(sizeof *b);
        char err[256] = "";
        CU_ASSERT_FATAL(a && b);
        CU_ASSERT_FATAL(ak_workload_preset(ak_workload_preset_name(i), a) == AK_OK);
        char *text = ak_workload_to_json(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        ak_status st = ak_workload_parse(text, strlen(text), "dump", b, err, sizeof err);
        if (st != AK_OK)
            printf("\n    %s: %s ", ak_workload_preset_name(i), err);
        CU_ASSERT_EQUAL(st, AK_OK);
        CU_ASSERT(!memcmp(a, b, sizeof *a));
        free(text);
        free(a);
        free(b);
    }
    ak_workload w;
    CU_ASSERT_EQUAL(ak_workload_preset("deit-huge", &w), AK_EINVAL);
}

static void test_deit_small_plan(void)
{
    ak_workload w;
    ak_layer_plan plan[12];
    CU_ASSERT_FATAL(ak_workload_preset("deit-small", &w) == AK_OK);
    CU_ASSERT_FATAL(ak_workload_plan(&w, plan, NULL, 0) == AK_OK);
    /* CLS + k kept + the fused token (EViT): 197 -> 1 + ceil(0.7 * 196) + 1 = 140
     * -> 1 + ceil(0.7 * 139) + 1 = 100 -> 1 + ceil(0.7 * 99) + 1 = 72 */
    static const uint32_t tokens[12] = {197, 197, 197, 197, 140, 140, 140, 100, 100, 100, 72, 72};
    for (int l = 0; l < 12; l++) {
        CU_ASSERT_EQUAL(plan[l].tokens_in, tokens[l]);
        /* dense: rows x ceil(rows / 64) blocks x 64 keys x d=64 x 2 (QK and PV) x 6 heads */
        uint64_t blocks = (tokens[l] + 63) / 64;
        CU_ASSERT_EQUAL(plan[l].macs, (uint64_t)tokens[l] * blocks * 64 * 64 * 2 * 6);
    }
    CU_ASSERT_EQUAL(plan[3].tokens_out, 140);
    CU_ASSERT_EQUAL(plan[11].tokens_out, 72);
    /* without the fused token: 197 -> 139 -> 98 -> 69 */
    w.fuse_token = 0;
    CU_ASSERT_FATAL(ak_workload_plan(&w, plan, NULL, 0) == AK_OK);
    CU_ASSERT_EQUAL(plan[3].tokens_out, 139);
    CU_ASSERT_EQUAL(plan[6].tokens_out, 98);
    CU_ASSERT_EQUAL(plan[11].tokens_out, 69);
}

static void test_llm_plan_is_sparse(void)
{
    ak_workload w;
    ak_layer_plan plan[1];
    CU_ASSERT_FATAL(ak_workload_preset("llm-4k", &w) == AK_OK);
    CU_ASSERT_FATAL(ak_workload_plan(&w, plan, NULL, 0) == AK_OK);
    CU_ASSERT(plan[0].density > 0.02 && plan[0].density < 0.1);
    CU_ASSERT_EQUAL(plan[0].tokens_out, 4096);
}

typedef struct {
    const char *json;
    const char *must_say; /* the field and the expectation */
} bad_doc;

#define HEAD "{\"format\":\"attnkit-workload\",\"version\":1,\"kind\":\"vision\","
#define SHAPE "\"tokens\":197,\"heads\":6,\"head_dim\":64,\"block\":64,"
#define LAYERS "\"layers\":[{\"mask\":{\"pattern\":\"dense\"}},{\"mask\":{\"pattern\":\"dense\"}}]"

static void test_schema_errors(void)
{
    static const bad_doc docs[] = {
        {"{\"format\": ", "not valid JSON"},
        {"[1, 2]", "expected a JSON object"},
        {"{\"format\":\"other\"}", "'format': expected \"attnkit-workload\""},
        {HEAD SHAPE LAYERS ",\"extra\":1}", "unknown field 'extra'"},
        {HEAD "\"heads\":6,\"head_dim\":64,\"block\":64," LAYERS "}", "'tokens': missing"},
        {HEAD "\"tokens\":0,\"heads\":6,\"head_dim\":64,\"block\":64," LAYERS "}", "'tokens': expected a whole number 1..65536"},
        {HEAD "\"tokens\":197,\"heads\":6,\"head_dim\":48,\"block\":64," LAYERS "}", "'head_dim': expected 32, 64 or 128"},
        {HEAD "\"tokens\":197,\"heads\":6,\"head_dim\":64,\"block\":48," LAYERS "}", "'block': expected 16, 32, 64 or 128"},
        {HEAD "\"tokens\":197,\"heads\":\"six\",\"head_dim\":64,\"block\":64," LAYERS "}", "'heads': expected a whole number"},
        {HEAD SHAPE "\"layers\":[]}", "'layers': expected an array of 1..256"},
        {HEAD SHAPE "\"layers\":[{\"mask\":{\"pattern\":\"bigbird\"}}]}", "layers[0].mask.pattern: expected dense"},
        {HEAD SHAPE "\"layers\":[{\"mask\":{\"pattern\":\"window\",\"density\":1.5}}]}", "layers[0].mask.density: expected a number in (0, 1]"},
        {HEAD SHAPE "\"layers\":[{\"mask\":{\"pattern\":\"strided\",\"stride\":0}}]}", "'stride': expected a whole number 1.."},
        /* density fits the size parameters: an explicit one beside it is an error, not dropped */
        {HEAD SHAPE "\"layers\":[{\"mask\":{\"pattern\":\"window\",\"density\":0.5,\"window\":2}}]}",
         "layers[0].mask.window: give either 'density'"},
        {HEAD SHAPE "\"layers\":[{\"mask\":{\"pattern\":\"dense\"}},{\"mask\":[{\"pattern\":\"sinks\",\"sinks\":1,\"window\":1},"
         "{\"pattern\":\"topk\",\"topk\":2,\"density\":0.1,\"causal\":true}]}]}",
         "layers[1].mask.topk: give either 'density'"},
        /* seeds: a number or decimal digits in a string, 0..2^53 */
        {HEAD SHAPE "\"seed\":\"9007199254740993\"," LAYERS "}", "'seed': expected a whole number 0..9007199254740992"},
        {HEAD SHAPE "\"seed\":\"12a\"," LAYERS "}", "'seed': expected a whole number 0..9007199254740992"},
        {HEAD SHAPE "\"seed\":\"\"," LAYERS "}", "'seed': expected a whole number"},
        {HEAD SHAPE "\"seed\":-1," LAYERS "}", "'seed': expected a whole number"},
        {HEAD SHAPE "\"layers\":[{}]}", "layers[0].mask: missing"},
        {HEAD SHAPE LAYERS ",\"pruning\":{\"layers\":[3],\"keep_rate\":0.7}}", "layer 3 does not exist (the workload has layers 1..2)"},
        {HEAD SHAPE LAYERS ",\"pruning\":{\"layers\":[1],\"keep_rate\":0}}", "pruning.keep_rate: expected a number in (0, 1]"},
        {HEAD SHAPE LAYERS ",\"pruning\":{\"layers\":[1],\"keep_rate\":1.2}}", "pruning.keep_rate: expected a number in (0, 1]"},
        {HEAD SHAPE LAYERS ",\"pruning\":{\"layers\":[1,1],\"keep_rate\":0.5}}", "layer 1 is listed twice"},
        {"{\"format\":\"attnkit-workload\",\"version\":1,\"kind\":\"decoder\"," SHAPE LAYERS
         ",\"pruning\":{\"layers\":[1],\"keep_rate\":0.5}}", "applies to \"vision\" workloads only"},
        {HEAD SHAPE LAYERS ",\"eviction\":{\"budget\":50,\"sinks\":1,\"recent\":8,\"window\":4}}",
         "applies to \"decoder\" workloads only"},
        {"{\"format\":\"attnkit-workload\",\"version\":1,\"kind\":\"decoder\"," SHAPE LAYERS
         ",\"eviction\":{\"budget\":8,\"sinks\":4,\"recent\":8,\"window\":4}}",
         "sinks + recent (12) must not exceed the budget (8)"},
        {"{\"format\":\"attnkit-workload\",\"version\":1,\"kind\":\"decoder\"," SHAPE LAYERS
         ",\"eviction\":{\"budget\":500,\"sinks\":4,\"recent\":8,\"window\":4}}",
         "'budget': expected a whole number 1..197"},
        {HEAD SHAPE LAYERS ",\"pruning\":{\"layers\":[1],\"keep_rate\":0.5,\"fuse_token\":1}}",
         "pruning.fuse_token: expected true or false"},
        {HEAD SHAPE LAYERS ",\"quant\":{\"input\":\"percentile:40\"}}",
         "quant.input: expected \"max\", \"mse\" or \"percentile:P\""},
        {HEAD SHAPE LAYERS ",\"quant\":{\"output_scale\":\"auto\"}}",
         "quant.output_scale: expected \"calibrated\", \"fixed\" or \"given\""},
        {HEAD SHAPE LAYERS ",\"quant\":{\"clip\":1}}", "unknown field 'clip'"},
        {"{\"format\":\"attnkit-workload\",\"version\":3,\"kind\":\"vision\"," SHAPE LAYERS "}",
         "'version': expected a whole number 1..2"},
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        ak_workload w;
        char err[256] = "";
        ak_status st = ak_workload_parse(docs[i].json, strlen(docs[i].json), "my.json", &w, err,
                                         sizeof err);
        int ok = st == AK_EINVAL && !strncmp(err, "my.json: ", 9) && strstr(err, docs[i].must_say);
        if (!ok)
            printf("\n    case %zu: status %d, message: %s ", i, st, err);
        CU_ASSERT(ok);
        CU_ASSERT_EQUAL(w.n_layers, 0); /* nothing half-filled */
    }
    /* and a good one, with a union mask and a pruning schedule */
    const char *good = HEAD SHAPE "\"layers\":[{\"mask\":[{\"pattern\":\"sinks\",\"sinks\":1,"
                                  "\"window\":1},{\"pattern\":\"topk\",\"topk\":2,\"causal\":true}]},"
                                  "{\"mask\":{\"pattern\":\"dense\"}}],"
                                  "\"pruning\":{\"layers\":[1],\"keep_rate\":0.5}}";
    ak_workload w;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(ak_workload_parse(good, strlen(good), "good.json", &w, err, sizeof err),
                          AK_OK);
    CU_ASSERT_EQUAL(w.n_layers, 2);
    CU_ASSERT_EQUAL(w.layers[0].n_parts, 2);
    CU_ASSERT_EQUAL(w.layers[0].keep_ppm, 500000);
    ak_layer_plan plan[2];
    CU_ASSERT_FATAL(ak_workload_plan(&w, plan, err, sizeof err) == AK_OK);
    CU_ASSERT_EQUAL(plan[1].tokens_in, 1 + 98 + 1); /* CLS + ceil(0.5 * 196) + fused */
    CU_ASSERT(w.fuse_token);
    CU_ASSERT_EQUAL(w.quant.input.kind, AK_INQ_MAX); /* defaults of the optional fields */
    CU_ASSERT_EQUAL(w.quant.output, AK_OSCALE_CALIBRATED);
    CU_ASSERT(!w.quant.output_set);
}

static void test_missing_file(void)
{
    ak_workload w;
    char err[256] = "";
    CU_ASSERT_EQUAL(ak_workload_load("/nonexistent/w.json", &w, err, sizeof err), AK_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/w.json: cannot open"));
}

static void test_causal_false_round_trip(void)
{
    /* "causal": false on sinks (whose default is causal) must survive parse -> dump -> parse,
     * and give the non-causal mask: query block 0 sees every key block */
    static const char doc[] =
        "{\"format\":\"attnkit-workload\",\"version\":2,\"kind\":\"vision\",\"tokens\":256,"
        "\"heads\":2,\"head_dim\":32,\"block\":32,\"layers\":[{\"mask\":{\"pattern\":\"sinks\","
        "\"density\":0.5,\"causal\":false}},{\"mask\":{\"pattern\":\"sinks\",\"density\":0.3}}]}";
    ak_workload a, b;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(ak_workload_parse(doc, strlen(doc), "t", &a, err, sizeof err), AK_OK);
    char *text = ak_workload_to_json(&a);
    CU_ASSERT_EQUAL_FATAL(ak_workload_parse(text, strlen(text), "dump", &b, err, sizeof err), AK_OK);
    free(text);
    CU_ASSERT_EQUAL(b.layers[0].parts[0].pattern.causal, AK_CAUSAL_OFF);
    CU_ASSERT_EQUAL(b.layers[1].parts[0].pattern.causal, AK_CAUSAL_DEFAULT);
    for (uint32_t l = 0; l < 2; l++) {
        ak_mask ma, mb;
        CU_ASSERT_FATAL(ak_workload_layer_mask(&a, l, 256, NULL, NULL, &ma, NULL) == AK_OK);
        CU_ASSERT_FATAL(ak_workload_layer_mask(&b, l, 256, NULL, NULL, &mb, NULL) == AK_OK);
        CU_ASSERT_EQUAL(ma.token_causal, l == 1);
        uint32_t na, nb;
        const uint32_t *la = ak_mask_list(&ma, 0, 0, &na), *lb = ak_mask_list(&mb, 0, 0, &nb);
        CU_ASSERT(na == nb && !memcmp(la, lb, sizeof *la * na));
        CU_ASSERT_EQUAL(na, l == 0 ? 8u : 1u); /* global first query block vs causal */
        ak_mask_free(&ma);
        ak_mask_free(&mb);
    }
}

/* Seeds survive the workload's JSON exactly up to 2^53, and are read back from a number or a
 * string of decimal digits (issue 13: 2^53 - 1 was written as 9.00719925474099e+15). */
static void test_seed_exact(void)
{
    static const uint64_t seeds[] = {0, UINT64_C(1) << 52, (UINT64_C(1) << 53) - 1,
                                     UINT64_C(1) << 53};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        for (int as_string = 0; as_string < 2; as_string++) {
            char doc[512], err[256] = "";
            const char *q = as_string ? "\"" : "";
            snprintf(doc, sizeof doc,
                     HEAD SHAPE "\"seed\":%s%llu%s,\"layers\":[{\"mask\":{\"pattern\":\"random\","
                                "\"random\":1,\"seed\":%s%llu%s}}]}",
                     q, (unsigned long long)seeds[i], q, q, (unsigned long long)seeds[i], q);
            ak_workload a, b;
            CU_ASSERT_EQUAL_FATAL(ak_workload_parse(doc, strlen(doc), "t", &a, err, sizeof err),
                                  AK_OK);
            CU_ASSERT_EQUAL(a.seed, seeds[i]);
            CU_ASSERT_EQUAL(a.layers[0].parts[0].pattern.seed, seeds[i]);
            char *text = ak_workload_to_json(&a);
            CU_ASSERT_PTR_NOT_NULL_FATAL(text);
            char digits[40];
            snprintf(digits, sizeof digits, "\"seed\":\t%llu", (unsigned long long)seeds[i]);
            if (seeds[i])
                CU_ASSERT_PTR_NOT_NULL(strstr(text, digits)); /* exact digits, as a number */
            CU_ASSERT_EQUAL(ak_workload_parse(text, strlen(text), "dump", &b, err, sizeof err),
                            AK_OK);
            CU_ASSERT_EQUAL(b.seed, seeds[i]);
            CU_ASSERT_EQUAL(b.layers[0].parts[0].pattern.seed, seeds[i]);
            free(text);
        }
    }
}

/* A random part without a seed (or with seed 0) is seeded with the workload seed + the layer's
 * index counted from 0, and both docs say so (issue 13: they did not say 0 or 1). */
static void test_random_part_seed_layer_index(void)
{
    static const char doc[] =
        "{\"format\":\"attnkit-workload\",\"version\":2,\"kind\":\"vision\",\"tokens\":256,"
        "\"heads\":1,\"head_dim\":32,\"block\":16,\"seed\":7,\"layers\":["
        "{\"mask\":{\"pattern\":\"random\",\"random\":3}},"
        "{\"mask\":{\"pattern\":\"random\",\"random\":3,\"seed\":0}},"
        "{\"mask\":{\"pattern\":\"random\",\"random\":3,\"seed\":100}}]}";
    ak_workload w;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(ak_workload_parse(doc, strlen(doc), "t", &w, err, sizeof err), AK_OK);
    static const uint64_t want[3] = {7, 8, 100}; /* layers[0]: seed, layers[1]: seed + 1 */
    for (uint32_t l = 0; l < 3; l++) {
        ak_mask got, ref;
        ak_pattern p = w.layers[l].parts[0].pattern;
        p.seed = want[l];
        CU_ASSERT_FATAL(ak_workload_layer_mask(&w, l, 256, NULL, NULL, &got, NULL) == AK_OK);
        CU_ASSERT_FATAL(ak_mask_build(&p, 256, 256, 16, 1, NULL, NULL, 32, &ref, NULL) == AK_OK);
        CU_ASSERT_EQUAL(got.kv_off[got.q_blocks], ref.kv_off[ref.q_blocks]);
        CU_ASSERT(!memcmp(got.kv_idx, ref.kv_idx, sizeof *got.kv_idx * ref.kv_off[ref.q_blocks]));
        ak_mask_free(&got);
        ak_mask_free(&ref);
    }
    static const char *const docs[] = {"docs/masks.md", "docs/workloads.md"};
    for (int i = 0; i < 2; i++) {
        char *t = ak_test_read_text(docs[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        int said = strstr(t, "counted from 0") && strstr(t, "`layers[0]`");
        if (!said)
            printf("\n    %s does not say which layer index seeds a random part", docs[i]);
        CU_ASSERT(said);
        free(t);
    }
}

int ak_test_register(void)
{
    return AK_SUITE("workload", {"presets survive a JSON round trip", test_presets_round_trip},
                    {"deit-small plan: tokens and MACs", test_deit_small_plan},
                    {"llm-4k plan is sparse", test_llm_plan_is_sparse},
                    {"schema violations name source, field, expectation", test_schema_errors},
                    {"unreadable file", test_missing_file},
                    {"causal: false survives a round trip", test_causal_false_round_trip},
                    {"random part seed: workload seed + layer index from 0", test_random_part_seed_layer_index},
                    {"seeds exact up to 2^53, as numbers or strings", test_seed_exact});
}
