import { ApiProperty } from '@nestjs/swagger';
import { CLASS_NAMES } from '@app/model';
import { FEATURE_MAX } from '@app/contracts';

/** OpenAPI description only; the contracts' zod schemas do the validating. */
export class IrisFeaturesDto {
  @ApiProperty({ example: 5.1, minimum: 0, exclusiveMinimum: true, maximum: FEATURE_MAX, description: 'cm' }) sepal_length!: number;
  @ApiProperty({ example: 3.5, minimum: 0, exclusiveMinimum: true, maximum: FEATURE_MAX, description: 'cm' }) sepal_width!: number;
  @ApiProperty({ example: 1.4, minimum: 0, exclusiveMinimum: true, maximum: FEATURE_MAX, description: 'cm' }) petal_length!: number;
  @ApiProperty({ example: 0.2, minimum: 0, exclusiveMinimum: true, maximum: FEATURE_MAX, description: 'cm' }) petal_width!: number;
}

export class BatchRequestDto {
  @ApiProperty({ type: [IrisFeaturesDto], minItems: 1, maxItems: 1000 }) instances!: IrisFeaturesDto[];
}

export class ScoredInstanceDto {
  @ApiProperty({ enum: CLASS_NAMES }) prediction!: string;
  @ApiProperty({ example: 0.9766 }) probability!: number;
  @ApiProperty({ example: 0 }) class_id!: number;
  @ApiProperty({ example: { setosa: 0.9766, versicolor: 0.0234, virginica: 0 } }) probabilities!: Record<string, number>;
}

export class PredictResponseDto extends ScoredInstanceDto {
  @ApiProperty({ example: 'success' }) status!: string;
  @ApiProperty({ example: 1 }) model_version!: number;
  @ApiProperty() request_id!: string;
  @ApiProperty({ example: 4.2 }) latency_ms!: number;
}

export class BatchResponseDto {
  @ApiProperty({ example: 'success' }) status!: string;
  @ApiProperty({ example: 1 }) model_version!: number;
  @ApiProperty() request_id!: string;
  @ApiProperty({ example: 6.3 }) latency_ms!: number;
  @ApiProperty({ type: [ScoredInstanceDto] }) predictions!: ScoredInstanceDto[];
}
