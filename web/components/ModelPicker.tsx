import type { ModelList } from "../api/types.js";

interface ModelPickerProps {
  models: ModelList;
  value: string;
  onChange(model: string): void;
}

export function ModelPicker({ models, value, onChange }: ModelPickerProps) {
  const ids = models.models.map((model) => model.id);
  // A conversation may use a model the list no longer offers; keep it selectable rather than silently switching.
  if (value && !ids.includes(value)) ids.unshift(value);
  return (
    <div class="model-picker">
      <label for="model-picker" class="visually-hidden">
        Model
      </label>
      <select id="model-picker" value={value} onChange={(event) => onChange(event.currentTarget.value)} title="Model">
        {ids.length === 0 && <option value="">Server default</option>}
        {ids.map((id) => (
          <option key={id} value={id}>
            {id}
            {id === models.default ? " (default)" : ""}
          </option>
        ))}
      </select>
    </div>
  );
}
