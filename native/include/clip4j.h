/*
 * clip4j.h - the one C facade of the clip4j native runner.
 *
 * Everything the Java side calls goes through this header: opaque handles, plain structs and
 * caller-allocated buffers. No libtorch or OpenCV type crosses it, so the JNI glue that JavaCPP
 * generates from it compiles in seconds and stays stable across libtorch releases.
 *
 * Every function returns a clip4j_status. On failure it writes a NUL-terminated message into the
 * caller's `error` buffer (truncated to `error_capacity` bytes) and leaves outputs unspecified.
 * No function throws or aborts: native exceptions are caught here and become a status.
 *
 * Thread safety: a model may be used from several threads at once; clip4j_model_free must not race
 * with other calls on the same model (the Java owner guarantees that).
 */
#ifndef CLIP4J_H
#define CLIP4J_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clip4j_status {
  CLIP4J_OK = 0,
  CLIP4J_INVALID_ARGUMENT = 1, /* a caller error: sizes, nulls, unknown enum values */
  CLIP4J_IO_ERROR = 2,         /* a file could not be opened or read */
  CLIP4J_BAD_CHECKPOINT = 3,   /* weights missing, extra, mis-shaped or unreadable */
  CLIP4J_UNSUPPORTED = 4,      /* a valid request this build or model cannot serve */
  CLIP4J_BAD_IMAGE = 5,        /* bytes that do not decode to an image */
  CLIP4J_OUT_OF_MEMORY = 6,    /* host or device memory exhausted */
  CLIP4J_DEVICE_ERROR = 7,     /* CUDA or other device failure */
  CLIP4J_INTERNAL = 8,         /* anything else: a bug, please report it */
  CLIP4J_NUMERIC_OVERFLOW = 9  /* an embedding came out NaN or infinite (fp16 overflow) */
} clip4j_status;

typedef enum clip4j_activation { CLIP4J_GELU = 0, CLIP4J_QUICK_GELU = 1 } clip4j_activation;

/* How the image tower turns its token sequence into one vector (open_clip's pool_type). */
typedef enum clip4j_vision_pool {
  CLIP4J_POOL_CLASS_TOKEN = 0,
  CLIP4J_POOL_AVERAGE = 1
} clip4j_vision_pool;

/* Which text position is the sentence embedding (open_clip's text pool_type). */
typedef enum clip4j_text_pool {
  CLIP4J_TEXT_POOL_ARGMAX = 0, /* the end-of-text token, the highest id in each sequence */
  CLIP4J_TEXT_POOL_LAST = 1,
  CLIP4J_TEXT_POOL_FIRST = 2
} clip4j_text_pool;

/* open_clip's resize_mode. */
typedef enum clip4j_resize_mode {
  CLIP4J_RESIZE_SHORTEST = 0, /* shorter side to size, then centre crop */
  CLIP4J_RESIZE_LONGEST = 1,  /* longer side to size, then pad with fill_color */
  CLIP4J_RESIZE_SQUASH = 2    /* both sides to size, aspect ratio not kept */
} clip4j_resize_mode;

typedef enum clip4j_interpolation { CLIP4J_BICUBIC = 0, CLIP4J_BILINEAR = 1 } clip4j_interpolation;

/* Whose preprocessing pipeline the pixels follow, to the bit. */
typedef enum clip4j_preprocess_style {
  /* open_clip: resize in the image's own mode (RGBA premultiplied, palettes nearest), centre crop
   * offsets rounded half to even, then RGB, then v / 255 in float32. */
  CLIP4J_STYLE_OPEN_CLIP = 0,
  /* Hugging Face's CLIPImageProcessor (PIL backend): RGB first, crop offsets floored, then
   * v * rescale_factor in float64 rounded to float32. */
  CLIP4J_STYLE_HUGGING_FACE = 1
} clip4j_preprocess_style;

/* How checkpoint tensors are named. */
typedef enum clip4j_weights_layout {
  CLIP4J_LAYOUT_OPEN_CLIP = 0,   /* open_clip and OpenAI: visual.*, transformer.*, ... */
  CLIP4J_LAYOUT_HUGGING_FACE = 1 /* transformers' CLIPModel: vision_model.*, text_model.*, ... */
} clip4j_weights_layout;

typedef enum clip4j_device { CLIP4J_DEVICE_CPU = 0, CLIP4J_DEVICE_CUDA = 1 } clip4j_device;

typedef enum clip4j_precision {
  CLIP4J_FP32 = 0,
  CLIP4J_FP16 = 1,
  CLIP4J_BF16 = 2
} clip4j_precision;

typedef enum clip4j_vision_tower {
  CLIP4J_VISION_TRANSFORMER = 0, /* ViT */
  CLIP4J_MODIFIED_RESNET = 1     /* OpenAI's RN50-style ResNet with attention pooling */
} clip4j_vision_tower;

typedef struct clip4j_vision_config {
  int32_t tower;      /* clip4j_vision_tower */
  int32_t image_size; /* square input side in pixels */
  int32_t patch_size; /* ViT */
  int32_t width;
  int32_t layers; /* ViT */
  int32_t heads;
  int32_t mlp_width;           /* ViT */
  int32_t pool;                /* ViT: clip4j_vision_pool */
  int32_t final_ln_after_pool; /* boolean */
  int32_t no_ln_pre;           /* boolean */
  int32_t resnet_layers[4];    /* ResNet: bottlenecks per stage; width is the stem width */
} clip4j_vision_config;

typedef struct clip4j_text_config {
  int32_t context_length;
  int32_t vocab_size;
  int32_t width;
  int32_t layers;
  int32_t heads;
  int32_t mlp_width;
  int32_t pool;                /* clip4j_text_pool */
  int32_t causal_mask;         /* boolean */
  int32_t final_ln_after_pool; /* boolean */
} clip4j_text_config;

typedef struct clip4j_preprocess_config {
  int32_t size;          /* output side in pixels */
  int32_t resize_mode;   /* clip4j_resize_mode */
  int32_t interpolation; /* clip4j_interpolation */
  int32_t fill_color;    /* 0..255, for CLIP4J_RESIZE_LONGEST */
  float mean[3];
  float std[3];
  int32_t style;         /* clip4j_preprocess_style */
  double rescale_factor; /* CLIP4J_STYLE_HUGGING_FACE: the multiplier, usually 1/255 */
} clip4j_preprocess_config;

typedef struct clip4j_model_config {
  int32_t embed_dim;
  int32_t activation; /* clip4j_activation */
  int32_t layout;     /* clip4j_weights_layout */
  clip4j_vision_config vision;
  clip4j_text_config text;
  clip4j_preprocess_config preprocess;
} clip4j_model_config;

/* The most intra-op threads a model may ask for. OpenMP starts a team on the calling thread's
 * stack (libgomp's start data for 16,384 threads overflowed a Java thread's 1 MB, a crash, not an
 * error), and few machines have more hardware threads than this. */
enum { CLIP4J_MAX_THREADS = 1024 };

typedef struct clip4j_load_options {
  int32_t device;       /* clip4j_device */
  int32_t device_index; /* CUDA ordinal; ignored on CPU */
  int32_t precision;    /* clip4j_precision of weights and activations */
  int32_t num_threads;  /* intra-op CPU threads for the whole process, at most CLIP4J_MAX_THREADS;
                           <= 0 keeps the current setting */
  int64_t max_image_pixels; /* decoded images larger than this are rejected; <= 0 means 2^27 */
  int32_t cuda_graphs_off; /* boolean: on a GPU, run the image tower eagerly, without CUDA graphs */
} clip4j_load_options;

typedef struct clip4j_model clip4j_model;

/*
 * Loads weights from `weights_path` (a .safetensors file, or a torch.save zip archive read with
 * libtorch's own unpickler: no code from the file is ever run) into a model of architecture
 * `config`. Every tensor the architecture needs must be present with the right shape; a checkpoint
 * with extra tensors that belong to no known part is rejected with their names, and so is one
 * whose weights hold NaN or infinity, or overflow the precision they are converted to.
 */
clip4j_status clip4j_model_load(const char* weights_path, const clip4j_model_config* config,
                                const clip4j_load_options* options, clip4j_model** model_out,
                                char* error, size_t error_capacity);

/* Frees the model. Null is allowed. */
void clip4j_model_free(clip4j_model* model);

/* The number of parameters loaded, for logging and model listings. */
int64_t clip4j_model_parameter_count(const clip4j_model* model);

/*
 * The model's linear layers (attention and MLP projections, the ViT patch embedding, a ResNet's
 * attention pool), and how many of them run on clip4j's packed CPU kernels. The rest run on
 * libtorch: all of them on a GPU, with CLIP4J_CPU_GEMM=libtorch, or on a CPU without AVX2 and FMA.
 */
int64_t clip4j_model_linear_layers(const clip4j_model* model);
int64_t clip4j_model_packed_linear_layers(const clip4j_model* model);

/*
 * Text embeddings: `token_ids` holds `batch` rows of `context_length` ids (as the tokenizer made
 * them); `embeddings_out` receives batch x embed_dim floats. `normalize` != 0 divides each row by
 * its L2 norm. Every encode function fails with CLIP4J_NUMERIC_OVERFLOW rather than return an
 * embedding that is NaN or infinite.
 */
clip4j_status clip4j_encode_text(clip4j_model* model, const int64_t* token_ids, int32_t batch,
                                 int32_t context_length, int32_t normalize, float* embeddings_out,
                                 char* error, size_t error_capacity);

/*
 * Image embeddings from encoded files (JPEG, PNG, BMP, WebP, TIFF, ...). `data` holds the `batch`
 * files back to back; file i is bytes [offsets[i], offsets[i+1]). `embeddings_out` receives
 * batch x embed_dim floats.
 */
clip4j_status clip4j_encode_images(clip4j_model* model, const uint8_t* data, const int64_t* offsets,
                                   int32_t batch, int32_t normalize, float* embeddings_out,
                                   char* error, size_t error_capacity);

/*
 * Image embeddings from 8-bit RGB pixels, row-major, interleaved. Image i has size widths[i] x
 * heights[i] and starts at byte offsets[i] of `rgb`.
 */
clip4j_status clip4j_encode_rgb(clip4j_model* model, const uint8_t* rgb, const int64_t* offsets,
                                const int32_t* widths, const int32_t* heights, int32_t batch,
                                int32_t normalize, float* embeddings_out, char* error,
                                size_t error_capacity);

/*
 * Image embeddings from already preprocessed pixels: batch x 3 x size x size floats (CHW,
 * normalised with the model's mean and std), as clip4j_preprocess_images writes them. A NaN or
 * infinite value gives CLIP4J_INVALID_ARGUMENT.
 */
clip4j_status clip4j_encode_pixels(clip4j_model* model, const float* pixels, int32_t batch,
                                   int32_t normalize, float* embeddings_out, char* error,
                                   size_t error_capacity);

/*
 * Page-locks (pins) `floats` floats of host memory at `pixels` for the model's GPU, so that
 * clip4j_encode_pixels on pixels lying there copies them to the device as they are (no copy into
 * clip4j's own pinned memory first) and checks them for NaN and infinity on the device. Sets
 * `*pinned_out` to 1; to 0 for a model on the CPU, which reads host memory in place already. The
 * memory must stay allocated until clip4j_unpin_pixels(pixels), which may come after the model is
 * freed. Memory that overlaps memory pinned already gives CLIP4J_INVALID_ARGUMENT; a driver that
 * refuses gives CLIP4J_DEVICE_ERROR with CUDA's message.
 */
clip4j_status clip4j_pin_pixels(clip4j_model* model, float* pixels, int64_t floats,
                                int32_t* pinned_out, char* error, size_t error_capacity);

/*
 * Undoes clip4j_pin_pixels(pixels), once no call is reading the memory (calls that start
 * meanwhile copy it as unpinned memory). Null, or memory not pinned, is ignored.
 */
void clip4j_unpin_pixels(float* pixels);

/*
 * The model's preprocessing alone: decodes the encoded files (layout as in clip4j_encode_images)
 * and writes batch x 3 x size x size floats to `pixels_out`.
 */
clip4j_status clip4j_preprocess_images(clip4j_model* model, const uint8_t* data,
                                       const int64_t* offsets, int32_t batch, float* pixels_out,
                                       char* error, size_t error_capacity);

/* The same for 8-bit RGB pixels (layout as in clip4j_encode_rgb). */
clip4j_status clip4j_preprocess_rgb(clip4j_model* model, const uint8_t* rgb, const int64_t* offsets,
                                    const int32_t* widths, const int32_t* heights, int32_t batch,
                                    float* pixels_out, char* error, size_t error_capacity);

/*
 * Describes a checkpoint without loading its weights: writes a NUL-terminated listing into
 * `listing` ("format\t<safetensors|torch.save|torchscript>" on the first line, then one
 * "tensor\t<name>\t<dtype>\t<d0,d1,...>" line per tensor; backslash, tab and newline in a name
 * are written as \\, \t and \n) and its full size (with the NUL) into `*needed`. A `capacity`
 * smaller than that returns CLIP4J_INVALID_ARGUMENT: call again with more.
 */
clip4j_status clip4j_checkpoint_describe(const char* path, char* listing, size_t capacity,
                                         size_t* needed, char* error, size_t error_capacity);

/* exp(logit_scale) as trained: the temperature that turns cosine similarities into logits. */
float clip4j_model_logit_scale(const clip4j_model* model);

#ifdef __cplusplus
}
#endif

#endif /* CLIP4J_H */
