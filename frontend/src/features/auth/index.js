export { LoginPage } from "./components/LoginPage.jsx";
export { RegisterPage } from "./components/RegisterPage.jsx";
