package io.clip4j.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4j.ClipException;
import io.clip4j.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * open_clip's configs read with open_clip's defaults; options we do not run are refused by name.
 */
class OpenClipConfigReaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void builtInVitConfigsHaveOpenClipsShapes() {
    ModelConfig b32 =
        OpenClipConfigReader.read("ViT-B-32", OpenClipConfigReader.builtIn("ViT-B/32"), null);
    assertEquals(512, b32.embedDim());
    assertEquals(224, b32.vision().imageSize());
    assertEquals(12, b32.vision().heads());
    assertEquals(3072, b32.vision().mlpWidth());
    assertEquals(77, b32.text().contextLength());
    assertFalse(b32.quickGelu());
    assertArrayEquals(PreprocessConfig.OPENAI_MEAN, b32.preprocess().mean());

    ModelConfig h14 =
        OpenClipConfigReader.read("ViT-H-14", OpenClipConfigReader.builtIn("ViT-H-14"), null);
    assertEquals(16, h14.vision().heads()); // 1280 / head_width 80
    assertEquals(1024, h14.embedDim());
    ModelConfig l336 =
        OpenClipConfigReader.read("x", OpenClipConfigReader.builtIn("ViT-L-14-336"), null);
    assertEquals(336, l336.preprocess().size());
    assertTrue(
        OpenClipConfigReader.read("x", OpenClipConfigReader.builtIn("ViT-B-16-quickgelu"), null)
            .quickGelu());
  }

  @Test
  void resnetConfigsReadAsOpenClipBuildsThem() {
    ModelConfig rn50 =
        OpenClipConfigReader.read("RN50", OpenClipConfigReader.builtIn("RN50"), null);
    assertTrue(rn50.vision().isResNet());
    assertArrayEquals(new int[] {3, 4, 6, 3}, rn50.vision().resnetLayers());
    assertEquals(64, rn50.vision().width());
    assertEquals(32, rn50.vision().heads()); // width * 32 / head_width 64
    assertEquals(1024, rn50.embedDim());
    ModelConfig rn50x64 =
        OpenClipConfigReader.read("RN50x64", OpenClipConfigReader.builtIn("RN50x64"), null);
    assertEquals(448, rn50x64.preprocess().size());
    assertArrayEquals(new int[] {3, 15, 36, 10}, rn50x64.vision().resnetLayers());
  }

  @Test
  void everyShippedNameResolves() {
    assertTrue(OpenClipConfigReader.builtInNames().size() >= 40);
    for (String name : OpenClipConfigReader.builtInNames()) {
      assertTrue(OpenClipConfigReader.builtIn(name).has("vision_cfg"), name);
    }
  }

  @Test
  void unknownNamesAndUnsupportedOptionsAreRefused() throws Exception {
    ClipException unknown =
        assertThrows(ClipException.class, () -> OpenClipConfigReader.builtIn("ViT-Z-99"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, unknown.code());

    var timm =
        JSON.readTree(
            "{\"embed_dim\": 8, \"vision_cfg\": {\"timm_model_name\": \"convnext\"}, \"text_cfg\": {}}");
    ClipException e =
        assertThrows(ClipException.class, () -> OpenClipConfigReader.read("t", timm, null));
    assertTrue(e.getMessage().contains("vision_cfg.timm_model_name"), e.getMessage());
    var noEmbed = JSON.readTree("{\"vision_cfg\": {}, \"text_cfg\": {}}");
    assertEquals(
        ErrorCode.BAD_CHECKPOINT,
        assertThrows(ClipException.class, () -> OpenClipConfigReader.read("t", noEmbed, null))
            .code());
  }

  /**
   * Numbers the native runner would refuse as an invalid argument are the checkpoint's problem, so
   * they are refused while its config is read: BAD_CHECKPOINT, or UNSUPPORTED for what open_clip
   * runs and clip4j does not.
   */
  @Test
  void configNumbersTheTowerCannotUseAreRefusedWhileReading() throws Exception {
    assertRefused(
        "vision_cfg", "image_size", 230, ErrorCode.UNSUPPORTED, "not a multiple of patch_size 32");
    assertRefused("vision_cfg", "mlp_ratio", 0, ErrorCode.BAD_CHECKPOINT, "vision_cfg.mlp_ratio");
    assertRefused("text_cfg", "mlp_ratio", -1, ErrorCode.BAD_CHECKPOINT, "text_cfg.mlp_ratio");
    assertRefused("text_cfg", "mlp_ratio", "4", ErrorCode.BAD_CHECKPOINT, "text_cfg.mlp_ratio");
    var model = OpenClipConfigReader.builtIn("ViT-B-32");
    for (String std : new String[] {"[0, 1, 1]", "-0.5", "[1, 1, \"x\"]"}) {
      var pp = JSON.readTree("{\"std\": " + std + "}");
      ClipException e =
          assertThrows(ClipException.class, () -> OpenClipConfigReader.read("x", model, pp));
      assertEquals(ErrorCode.BAD_CHECKPOINT, e.code(), std);
      assertTrue(e.getMessage().contains("preprocess_cfg.std must hold 3 positive numbers"), std);
    }
    var mean = JSON.readTree("{\"mean\": [0.5, 1e39, 0.5]}"); // past float's range
    assertTrue(
        assertThrows(ClipException.class, () -> OpenClipConfigReader.read("x", model, mean))
            .getMessage()
            .contains("preprocess_cfg.mean must hold 3 numbers"));
  }

  private static void assertRefused(
      String section, String key, Object value, ErrorCode code, String fragment) {
    var model = OpenClipConfigReader.builtIn("ViT-B-32").deepCopy();
    ((ObjectNode) model.get(section)).set(key, JSON.valueToTree(value));
    ClipException e =
        assertThrows(ClipException.class, () -> OpenClipConfigReader.read("x", model, null));
    assertEquals(code, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void preprocessOverlayFollowsOpenClip() throws Exception {
    var model = OpenClipConfigReader.builtIn("ViT-B-32");
    var pp =
        JSON.readTree(
            "{\"mean\": [0.5, 0.5, 0.5], \"std\": 0.25, \"resize_mode\": \"squash\", \"interpolation\": \"bilinear\", \"size\": 999}");
    PreprocessConfig p = OpenClipConfigReader.read("x", model, pp).preprocess();
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, p.mean());
    assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, p.std());
    assertEquals(PreprocessConfig.ResizeMode.SQUASH, p.resizeMode());
    assertEquals(PreprocessConfig.Interpolation.BILINEAR, p.interpolation());
    assertEquals(224, p.size()); // open_clip takes the size from the image tower
  }
}
