import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { useMutation } from "urql";
import { ErrorBanner, Notice } from "../../components/Banner";
import { Field } from "../../components/Field";
import { useDraft } from "../../context";
import { CreateProductMutation } from "../../graphql/operations";

const EMPTY = { name: "", category: "", description: "", price: "", stock: "0" };

/** Create a product; the form is a draft until the product exists. */
export function NewProduct({ onCreated }: { onCreated: () => void }) {
  const [form, setForm, clearForm] = useDraft("new-product", EMPTY);
  const [state, create] = useMutation(CreateProductMutation);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const price = Math.round(Number(form.price) * 100);
    const found: Record<string, string> = {};
    if (!form.name.trim()) found.name = "Enter a name.";
    if (!form.category.trim()) found.category = "Enter a category.";
    if (!form.price || !Number.isFinite(price) || price < 0) found.price = "Enter a price in dollars, e.g. 12.50.";
    if (!/^\d+$/.test(form.stock)) found.stock = "Enter a whole number of units.";
    setProblems(found);
    if (Object.keys(found).length) return;
    const result = await create(
      {
        input: {
          name: form.name.trim(),
          category: form.category.trim(),
          description: form.description,
          price: { amount: price, currency: "USD" },
          stock: Number(form.stock),
        },
      },
      { additionalTypenames: ["Product"] },
    );
    const answer = result.data?.createProduct;
    if (!answer) return;
    if (answer.__typename === "Product") {
      setCreated({ id: answer.id, name: answer.name });
      clearForm();
      onCreated();
    } else if (answer.__typename === "ValidationError") {
      setProblems(Object.fromEntries(answer.fields.map((f) => [f.field, f.message])));
    } else {
      setProblems({ form: answer.message });
    }
  };
  const on = (field: keyof typeof EMPTY) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm({ ...form, [field]: e.target.value });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="new-product-title">
      <h2 id="new-product-title">New product</h2>
      <Field label="Name" name="name" value={form.name} onChange={on("name")} error={problems.name} />
      <Field label="Category" name="category" value={form.category} onChange={on("category")} error={problems.category} />
      <Field label="Description" name="description" value={form.description} onChange={on("description")} error={problems.description} />
      <Field label="Price ($)" name="price" inputMode="decimal" value={form.price} onChange={on("price")} error={problems.price ?? problems["price.amount"]} />
      <Field label="Stock" name="stock" inputMode="numeric" value={form.stock} onChange={on("stock")} error={problems.stock} />
      {problems.form && <Notice kind="error">{problems.form}</Notice>}
      <ErrorBanner error={state.error} />
      {created && (
        <Notice kind="ok">
          Created <Link to={`/products/${created.id}`}>{created.name}</Link>.
        </Notice>
      )}
      <button type="submit" disabled={state.fetching}>
        Create product
      </button>
    </form>
  );
}
